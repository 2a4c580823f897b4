// A real OpenID Connect provider for the tests (npm `oidc-provider`), on 127.0.0.1 only.
// Configured from the environment by tests/oidc/conftest.py:
//   OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS and
//   OIDC_POST_LOGOUT_REDIRECT_URIS (space-separated), OIDC_ACCOUNTS (JSON: sub -> claims).
// Its routes are ProConnect's (/authorize, /token, /userinfo, /jwks, /session/end). Its login
// page is the library's development interaction: any account id of OIDC_ACCOUNTS, any password.
import Provider from "oidc-provider";

const env = process.env;
const port = Number(env.OIDC_PORT);
const accounts = JSON.parse(env.OIDC_ACCOUNTS);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env.OIDC_CLIENT_ID,
      client_secret: env.OIDC_CLIENT_SECRET,
      redirect_uris: env.OIDC_REDIRECT_URIS.split(" "),
      post_logout_redirect_uris: env.OIDC_POST_LOGOUT_REDIRECT_URIS.split(" "),
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_post",
      id_token_signed_response_alg: "RS256",
    },
  ],
  async findAccount(ctx, sub) {
    if (!(sub in accounts)) return undefined;
    return { accountId: sub, async claims() { return { sub, ...accounts[sub] }; } };
  },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    given_name: ["given_name"],
    usual_name: ["usual_name"],
  },
  scopes: ["openid", "email", "given_name", "usual_name"],
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => false },
  routes: {
    authorization: "/authorize",
    token: "/token",
    userinfo: "/userinfo",
    jwks: "/jwks",
    end_session: "/session/end",
  },
  cookies: { keys: ["test-suite-only-not-a-secret"] },
});

// Everything it logs goes to stderr, which the fixture reads only when it fails to start.
provider.on("server_error", (ctx, error) => console.error("server_error", error));
provider.listen(port, "127.0.0.1", () => {
  console.log(`READY ${issuer}`);
});
