import { execFileSync } from 'node:child_process';

/** The parts of an image's configuration the tests read (the OCI/Docker image config). */
export interface ArchivedImage {
  repoTags: string[];
  config: {
    User?: string;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[];
    WorkingDir?: string;
    Labels?: Record<string, string> | null;
    StopSignal?: string;
    ExposedPorts?: Record<string, object>;
  };
}

/** Reads a docker-archive's manifest and image configuration, as `ctr images import` will. */
export function readArchiveConfig(archive: string): ArchivedImage {
  const readMember = (member: string) =>
    execFileSync('tar', ['-xOf', archive, member], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const manifest = JSON.parse(readMember('manifest.json')) as { Config: string; RepoTags: string[] }[];
  if (manifest.length !== 1) throw new Error(`${archive} holds ${manifest.length} images, expected one`);
  const [entry] = manifest as [{ Config: string; RepoTags: string[] }];
  const image = JSON.parse(readMember(entry.Config)) as { config: ArchivedImage['config'] };
  return { repoTags: entry.RepoTags, config: image.config };
}
