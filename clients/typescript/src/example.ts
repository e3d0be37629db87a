// Using the generated types with openapi-fetch: log in, read every page of
// the enterprises, and create a placement. `tsc --noEmit` checks this file
// against the types generated from openapi/openapi.json, so a change of the
// document that would break a client breaks CI.
//
//   npm ci && npm run generate
//   npx tsc --noEmit false --outDir dist
//   CHANJIAO_URL=http://127.0.0.1:8080 CHANJIAO_PASSWORD=… node dist/example.js
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Enterprise = components["schemas"]["Enterprise"];
type ApprenticeshipCreate = components["schemas"]["ApprenticeshipCreate"];

const baseUrl = process.env.CHANJIAO_URL ?? "http://127.0.0.1:8080";
// Lists also answer CSV (`Accept: text/csv`); this client reads JSON and problem+json only.
const api = createClient<paths, `application/${string}json`>({ baseUrl });

/** Logs in with the password grant; the access token. */
async function logIn(username: string, password: string): Promise<string> {
  const { data, error } = await api.POST("/api/v1/auth/token", {
    body: { grant_type: "password", username, password },
  });
  if (error) throw new Error(`login failed: ${error.detail}`);
  return data.access_token;
}

/** Every enterprise, one page at a time, following `next_cursor`. */
async function allEnterprises(token: string): Promise<Enterprise[]> {
  const all: Enterprise[] = [];
  let cursor: string | undefined;
  do {
    const { data, error } = await api.GET("/api/v1/enterprises", {
      params: { query: { limit: 100, sort: "name", cursor } },
      headers: { Authorization: `Bearer ${token}` },
    });
    if (error) throw new Error(`listing failed: ${error.status} ${error.detail}`);
    all.push(...data.items);
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  return all;
}

async function main(): Promise<void> {
  const token = await logIn("admin", process.env.CHANJIAO_PASSWORD ?? "");
  const enterprises = await allEnterprises(token);
  console.log(`${enterprises.length} enterprises`);
  const host = enterprises[0];
  if (!host) return;

  const schools = await api.GET("/api/v1/schools", {
    params: { query: { limit: 1 } },
    headers: { Authorization: `Bearer ${token}` },
  });
  const school = schools.data?.items[0];
  if (!school) return;

  const placement: ApprenticeshipCreate = {
    kind: "modern_apprenticeship",
    enterprise_id: host.id,
    school_id: school.id,
    participant: { name: "王小明", role: "student", student_no: "2024001" },
    program: "辰泰重钢焊接订单班",
    major: "焊接技术应用",
    start_date: "2024-09-01",
  };
  const { data, error, response } = await api.POST("/api/v1/apprenticeships", {
    body: placement,
    headers: { Authorization: `Bearer ${token}`, "Idempotency-Key": crypto.randomUUID() },
  });
  if (error) {
    // A 422 names every invalid field at once.
    for (const field of error.errors ?? []) console.error(`${field.field}: ${field.code} ${field.message}`);
    throw new Error(`not created: ${error.status}`);
  }
  console.log(`created ${data.id} (${data.status}), ETag ${response.headers.get("ETag")}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
