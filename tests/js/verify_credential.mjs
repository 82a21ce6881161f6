// An independent check of elearn's Open Badges 3.0 credentials: Digital Bazaar's JavaScript
// implementation (@digitalbazaar/vc, the eddsa-rdfc-2022 cryptosuite, jsonld.js and
// rdf-canonize, vc-bitstring-status-list): not the Python code that signed them.
// Usage: node verify_credential.mjs input.json  (input: {credential, documents: {url: doc}, now})
// Prints {verified, error, statuses: [{purpose, status}]}. Offline: every URL the verifier asks
// for must be in `documents` (contexts, key, issuer profile, status lists); anything else fails.
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const documentLoader = async url => {
  const document = input.documents[url] ?? input.documents[url.split('#')[0]];
  if(document === undefined) {
    throw new Error(`not available offline: ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document};
};
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const now = input.now ? new Date(input.now) : new Date();
const result = await vc.verifyCredential({
  credential: input.credential, suite, documentLoader, now,
  checkStatus: async ({credential}) => checkStatus({credential, documentLoader, suite})
});
const error = result.error ? (result.error.errors || [result.error]).map(e => e.message + (e.details ? " " + JSON.stringify(e.details.event ?? e.details).slice(0, 400) : "")).join("; ") : null;
const statuses = (result.statusResult?.results || []).map(
  r => ({purpose: r.credentialStatus.statusPurpose, status: r.status}));
const statusError = result.statusResult?.error?.message ?? null;
const proofVerified = Boolean(result.results?.length) && result.results.every(r => r.verified);
// The library reports the bits; what a set bit means is the verifier's call: revoked is invalid.
const revoked = statuses.some(s => s.purpose === 'revocation' && s.status);
process.stdout.write(JSON.stringify({verified: result.verified, proofVerified, revoked, error, statusError, statuses}) + '\n');
