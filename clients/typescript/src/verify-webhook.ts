import { createHmac, timingSafeEqual } from "node:crypto";

/** Whether a delivery is chanjiao's: one `v1=` of `Chanjiao-Signature` is the
 *  HMAC-SHA256 of `"<t>.<raw body>"` with the webhook's secret, and `t` is recent. */
export function verifyWebhook(secret: string, header: string, rawBody: Buffer, toleranceSeconds = 300): boolean {
  const parts = header.split(",").map((part): [string, string] => {
    const at = part.indexOf("=");
    return at < 0 ? [part, ""] : [part.slice(0, at), part.slice(at + 1)];
  });
  const t = parts.find(([key]) => key === "t")?.[1] ?? "";
  if (!/^[0-9]{1,12}$/.test(t) || Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false;
  const expected = createHmac("sha256", secret).update(`${t}.`).update(rawBody).digest();
  return parts.some(
    ([key, value]) => key === "v1" && /^[0-9a-f]{64}$/.test(value) && timingSafeEqual(Buffer.from(value, "hex"), expected),
  );
}
