/*
 * The plugin inside the real sf CLI, installed the way a user installs it: packed from the working tree (`npm pack`;
 * prepack builds lib/ and writes the manifest) and installed from the tarball (`sf plugins install file://…tgz`) into
 * the pinned sf (.sf-cli-cache/) under a temporary HOME, so the developer's own sf state is neither read nor changed.
 * Used by bench/startup.bench.ts and bench/audit.bench.ts (--through-sf).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/e2e/harness.js';
import { ensureSfCli, runSf, sfEnv, type SfCliInstall, type SfProcessTracker } from '../test/smoke/sf-cli.js';

/** `npm pack` of the working tree into a fresh folder; the .tgz path. */
export async function pack(into: string): Promise<string> {
  mkdirSync(into, { recursive: true });
  const npmCli = process.env.npm_execpath;
  const [file, args] = npmCli !== undefined && /npm-cli\.c?js$/.test(npmCli) ? [process.execPath, [npmCli]] : ['npm', []];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(file, [...args, 'pack', '--pack-destination', into, '--loglevel', 'error'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => { code === 0 ? resolve() : reject(new Error(`npm pack failed (exit ${String(code)})`)); });
  });
  const tgz = readdirSync(into).find((f) => f.endsWith('.tgz'));
  if (tgz === undefined) throw new Error(`npm pack wrote no tarball into ${into}`);
  return join(into, tgz);
}

export type InstalledPlugin = { sf: SfCliInstall; home: string; env: NodeJS.ProcessEnv; url: string };

/** Packs the plugin and installs the tarball into the pinned sf, with `work` holding the tarball and the HOME. */
export async function installPackedPlugin(work: string, tracker: SfProcessTracker, log: (line: string) => void): Promise<InstalledPlugin> {
  const sf = await ensureSfCli({ log, tracker });
  const tgz = await pack(join(work, 'pack'));
  const home = join(work, 'home');
  // sf asks before installing an unsigned plugin; the allow list (in sf's config dir) answers for it.
  mkdirSync(join(home, '.config', 'sf'), { recursive: true });
  const url = `file://${tgz}`;
  writeFileSync(join(home, '.config', 'sf', 'unsignedPluginAllowList.json'), JSON.stringify([url, 'plugin-connectedapp']));
  const env = sfEnv(home, tracker);
  log(`sf ${sf.version}, Node ${process.versions.node}; installing ${url}`);
  const install = await runSf(sf, ['plugins', 'install', url], { env, cwd: home, tracker, timeoutMs: 600_000 });
  if (install.exitCode !== 0) throw new Error(`sf plugins install failed (exit ${install.exitCode}):\n${install.stderr}`);
  return { sf, home, env, url };
}
