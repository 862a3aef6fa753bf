// A simple-response authorizer (HTTP API payload 2.0): allow one fixed token and pass the caller's name on.
export const handler = async (event) => {
  const header = event.headers?.authorization ?? "";
  const isAuthorized = header === "Bearer let-me-in";
  return { isAuthorized, context: { user: isAuthorized ? "demo-user" : "nobody" } };
};
