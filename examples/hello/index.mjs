// An API Gateway (payload 2.0) handler, unchanged from what runs on AWS Lambda.
export const handler = async (event) => {
  const name = event.queryStringParameters?.name ?? "world";
  console.log(`greeting ${name}`);
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ message: `${process.env.GREETING}, ${name}!`, path: event.rawPath ?? null }),
  };
};
