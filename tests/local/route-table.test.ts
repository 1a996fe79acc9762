/**
 * The one route table of the local stack: API Gateway route keys with `{param}` templates, the first match
 * winning, parameters decoded, and the help (the 404 answer) listing exactly the routes served.
 */
import { RouteTable } from "../../local/http/routes";

describe("RouteTable", () => {
  const table = new RouteTable<string>()
    .add("GET /admin/broadcasts/{id}", "progress")
    .add("POST /admin/broadcasts/{id}/cancel", "cancel")
    .add("ANY /bot{token}/{method}", "bot api")
    .add("POST /_emulator/users", "create user", "{first_name?}");

  it("matches method and template, decoding parameters and ignoring a trailing slash", () => {
    expect(table.match("GET", "/admin/broadcasts/b%2F1/")).toEqual({
      handler: "progress",
      params: { id: "b/1" },
      template: "/admin/broadcasts/{id}",
    });
    expect(table.match("POST", "/admin/broadcasts/b1/cancel")?.handler).toBe("cancel");
    expect(table.match("DELETE", "/bot123:abc/sendMessage")?.params).toEqual({
      token: "123:abc",
      method: "sendMessage",
    });
  });

  it("matches nothing for another method or a longer path", () => {
    expect(table.match("POST", "/admin/broadcasts/b1")).toBeUndefined();
    expect(table.match("GET", "/admin/broadcasts/b1/extra")).toBeUndefined();
  });

  it("prints one help line per route, with its usage", () => {
    expect(table.help()).toEqual([
      "GET    /admin/broadcasts/{id}",
      "POST   /admin/broadcasts/{id}/cancel",
      "ANY    /bot{token}/{method}",
      "POST   /_emulator/users {first_name?}",
    ]);
  });
});
