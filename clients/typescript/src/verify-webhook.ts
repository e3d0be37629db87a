import { createHmac, timingSafeEqual } from "node:crypto";

/** Whether a delivery is chanjiao's: one `v1=` of `Chanjiao-Signature` is the
 *  HMAC-SHA256 of `"<t>.<raw body>"` with the webhook's secret, and `t` is recent. */
export function verifyWebhook(secret: string, header: string, rawBody: Buffer, toleranceSeconds = 300): boolean {
  const parts = header.split(",").map((part) => part.split("=", 2));
  const t = parts.find(([key]) => key === "t")?.[1];
  if (t === undefined || Math.abs(Date.now() / 1000 - Number(t)) > toleranceSeconds) return false;
  const expected = createHmac("sha256", secret).update(`${t}.`).update(rawBody).digest();
  return parts.some(
    ([key, value]) => key === "v1" && value?.length === 64 && timingSafeEqual(Buffer.from(value, "hex"), expected),
  );
}
