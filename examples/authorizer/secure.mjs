export const handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ message: "authorized", user: event.requestContext?.authorizer?.lambda?.user ?? null }),
});
