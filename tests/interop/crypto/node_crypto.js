// Node side of the crypto cross-check; uses only Node's built-in crypto.
//   node node_crypto.js sign            -> JSON: a fresh P-256 key, a message,
//                                          one low-S and one high-S signature
//   node node_crypto.js verify <file>   -> JSON: whether the signature in the
//                                          file verifies, and SHA-256 of its data
'use strict';
const crypto = require('crypto');
const fs = require('fs');

const N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
const HALF_N = N >> 1n;

function sha256Hex(buffer) {
  return crypto.createHash('sha256').update(buffer).digest('hex');
}

function sign() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const message = crypto.randomBytes(200);
  // Node does not normalise S, so about half its signatures are high-S; keep
  // signing until we have one of each kind.
  let low = null;
  let high = null;
  for (let i = 0; i < 256 && (low === null || high === null); i++) {
    const p1363 = crypto.sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const s = BigInt('0x' + p1363.subarray(32).toString('hex'));
    if (s > HALF_N) high = high || p1363;
    else low = low || p1363;
  }
  const der = crypto.sign('sha256', message, { key: privateKey, dsaEncoding: 'der' });
  process.stdout.write(JSON.stringify({
    public_key_pem: publicKey.export({ type: 'spki', format: 'pem' }),
    private_key_pem: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    message_hex: message.toString('hex'),
    message_sha256_hex: sha256Hex(message),
    low_s_p1363_hex: low.toString('hex'),
    high_s_p1363_hex: high.toString('hex'),
    der_signature_hex: der.toString('hex'),
  }));
}

function verify(file) {
  const input = JSON.parse(fs.readFileSync(file, 'utf8'));
  const valid = crypto.verify('sha256', Buffer.from(input.message_hex, 'hex'),
    { key: crypto.createPublicKey(input.public_key_pem), dsaEncoding: 'der' },
    Buffer.from(input.signature_der_hex, 'hex'));
  process.stdout.write(JSON.stringify({
    valid,
    data_sha256_hex: sha256Hex(Buffer.from(input.data_hex, 'hex')),
  }));
}

if (process.argv[2] === 'sign') sign();
else if (process.argv[2] === 'verify') verify(process.argv[3]);
else {
  process.stderr.write('usage: node_crypto.js sign | verify <file>\n');
  process.exit(2);
}
