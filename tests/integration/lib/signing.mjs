// The client side of a signed request (x-edgeai-signature), as
// docs/security.md shows it, for every test that signs.
import crypto from 'node:crypto';

/** The x-edgeai-signature header value for a request made with `apiKey`. */
export function sign(apiKey, { method, target, body, ts, nonce }) {
  const keyId = apiKey.split('_')[1];
  const signingKey = crypto.createHmac('sha256', apiKey).update('edgeai-request-signing-v1').digest();
  const bodyHash = crypto.createHash('sha256').update(body).digest('hex');
  const canonical = `EDGEAI-HMAC-SHA256\n${method}\n${target}\n${ts}\n${nonce}\n${bodyHash}`;
  const sig = crypto.createHmac('sha256', signingKey).update(canonical).digest('hex');
  return `key=${keyId}, ts=${ts}, nonce=${nonce}, sig=${sig}`;
}
