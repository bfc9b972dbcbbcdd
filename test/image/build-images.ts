// `npm run image`: builds the product image from the project's Dockerfile, plus the stand-ins
// the tests need because no registry is reachable here (the Node base, the bundled PostgreSQL,
// the pods' pause image), into <cache>/images (test/image/locate-images.ts). Cached: a warm run
// rebuilds only the layers whose sources changed.
//
//   npm run image                                      docker build if an engine answers, else buildah
//   npm run image -- --builder buildah                 buildah even where Docker runs
//   npm run image -- --product-image registry.example/astromesh-cloud:dev
import { parseArgs } from 'node:util';
import { buildImages } from './locate-images.ts';

const usage = `Usage: npm run image [-- --builder auto|docker|buildah] [--product-image NAME:TAG]

Builds localhost/astromesh-cloud:<version> from the Dockerfile (docker build where a Docker
engine answers, else buildah on a local stand-in for the node base image), the test stand-ins
localhost/astromesh-test/postgres:15 and localhost/astromesh-test/pause:1, and a docker-archive
of each for \`ctr images import\`. Needs root, buildah, mmdebstrap and go.
`;

const { values } = parseArgs({
  options: {
    builder: { type: 'string', default: 'auto' },
    'product-image': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(usage);
} else if (!['auto', 'docker', 'buildah'].includes(values.builder)) {
  process.stderr.write(`--builder: expected auto, docker or buildah, got '${values.builder}'\n\n${usage}`);
  process.exitCode = 2;
} else {
  await buildImages({
    builder: values.builder as 'auto' | 'docker' | 'buildah',
    productReference: values['product-image'],
  });
}
