/**
 * Builds the web desk into web/dist. Next to each text asset it writes .br and .gz copies, so
 * the server's @fastify/static (`preCompressed`) sends them without compressing per request.
 */
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|map)$/;

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), precompress()],
  // Lightning CSS bundles each stylesheet's @imports and resolves the named breakpoints
  // (`@custom-media`, src/styles/breakpoints.css) in dev and build alike.
  css: { transformer: 'lightningcss', lightningcss: { drafts: { customMedia: true } } },
  build: {
    outDir: join(root, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:7410' } },
});

/**
 * Writes `file.br` and `file.gz` beside every compressible file of the build, once it is written.
 * Brotli's top quality (11) takes about a second on the bundle; `npm start` building a missing
 * desk asks for 9 (EARSHOT_BROTLI_QUALITY), ~8 % larger, to open within its few seconds.
 */
function precompress(): Plugin {
  const quality = Math.min(11, Math.max(1, Number(process.env.EARSHOT_BROTLI_QUALITY) || 11));
  return {
    name: 'earshot-precompress',
    apply: 'build',
    writeBundle(options) {
      const dir = options.dir ?? join(root, 'dist');
      for (const file of walk(dir)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const data = readFileSync(file);
        if (data.length < 1024) continue;
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(data, {
            params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
          }),
        );
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
