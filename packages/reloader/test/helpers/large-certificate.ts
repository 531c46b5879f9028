// The certificate a runtime-API payload cannot take, and the stand-in metadata of the tests of a reload
// for the certificates, which add it.
import {
  buildTree,
  startMetadataServer,
  type MetadataServer,
} from "../../../test-support/src/metadata/index.ts";
import { createTestCa, type TestCa, type TestPair } from "./make-test-certificates.ts";

// large.test with ~20 KB of subjectAltNames (name-0 … name-699.large-alias.test): more than a runtime-API
// payload may be, so it is applied by a reload.
export function issueLargeCertificate(ca: TestCa): TestPair {
  return ca.issue(["large.test", ...Array.from({ length: 700 }, (_, i) => `name-${i}.large-alias.test`)]);
}

// The stand-in (closed after the test) with a default certificate (default.test, of a test CA) in the
// proxy's own service and no `certs`; `addLarge` puts issueLargeCertificate's in `certs` (`large`).
export async function startLargeCertificateMetadata(t: {
  after: (fn: () => unknown) => void;
}): Promise<{ server: MetadataServer; addLarge: () => void }> {
  const ca = createTestCa();
  t.after(() => ca.close());
  const fallback = ca.issue(["default.test"]);
  const large = issueLargeCertificate(ca);
  const metadata = (certs: Record<string, unknown>) => ({
    ssl_cert: fallback.cert,
    ssl_key: fallback.key,
    certs,
  });
  const server = await startMetadataServer({ tree: buildTree({ domainSelf: { metadata: metadata({}) } }) });
  t.after(() => server.close());
  const addLarge = () =>
    server.setTree(
      buildTree({ domainSelf: { metadata: metadata({ large: { cert: large.cert, key: large.key } }) } }),
    );
  return { server, addLarge };
}
