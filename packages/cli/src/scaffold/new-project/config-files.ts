import type { NewProjectOptions } from './options.js';

/** tsconfig.json: type-checks sources, tests and the vitest config (`npm test` runs it first). */
export function tsconfig(): string {
  return `{
  // Fleet injects by type: it reads the constructor parameter types that tsc records with
  // experimentalDecorators + emitDecoratorMetadata (esbuild and tsx do not record them).
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2023"],
    "types": ["node"],
    "strict": true,
    "noImplicitOverride": true,
    "noFallthroughCasesInSwitch": true,
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "useDefineForClassFields": false,
    "esModuleInterop": true,
    "skipLibCheck": true,
    "forceConsistentCasingInFileNames": true,
    "sourceMap": true,
    "noEmit": true
  },
  "include": ["src", "test", "vitest.config.ts"]
}
`;
}

/** tsconfig.build.json: compiles src/ (tests excluded) into dist/. */
export function tsconfigBuild(): string {
  return `{
  "extends": "./tsconfig.json",
  "compilerOptions": { "noEmit": false, "rootDir": "src", "outDir": "dist" },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts"]
}
`;
}

export function vitestConfig(): string {
  return `import { loadEnv } from 'vite';
import { defineConfig } from 'vitest/config';

// Vitest 4 on Vite 8 compiles the TypeScript with the decorator metadata Fleet's injection reads
// (from tsconfig.json), so tests run the sources directly.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // .env (and .env.test) as the app reads them in development; variables already set win.
    env: loadEnv('test', process.cwd(), ''),
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
`;
}

export function gitignore(): string {
  return `node_modules/
dist/
coverage/
*.tsbuildinfo
.env
.env.*
!.env.example
`;
}

/** .env.example: every variable the app reads, with its default. */
export function envExample(options: NewProjectOptions): string {
  const lines = [
    '# Copy to .env for local development (src/main.ts and the tests read it). Every variable is',
    '# validated at boot (src/config.ts); in production the platform sets them instead.',
    'PORT=3000',
    '# 0.0.0.0 in a container',
    'HOST=127.0.0.1',
    '# LOG_LEVEL=info',
  ];
  if (options.features.includes('database')) {
    lines.push(
      '',
      '# PostgreSQL: the primary, and comma-separated hot standbys that serve reads (compose.yaml starts both).',
      'DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres',
      'DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:5433/postgres',
      '# How many instances run at once: boot warns when the pool size x instances exceeds max_connections.',
      'FLEET_INSTANCES=1',
    );
  }
  if (options.features.includes('redis')) {
    lines.push(
      '',
      '# Redis: rate limits (and sessions, locks, caches) shared by every instance.',
      'REDIS_URL=redis://127.0.0.1:6379',
      '# Instances of one app share state under this name.',
      `FLEET_APP=${appId(options.name)}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** `@acme/orders-api` -> `orders-api`: a name Redis keys and PostgreSQL application names accept. */
export function appId(name: string): string {
  return name.replace(/^@[^/]+\//, '').replace(/[^\w.-]/g, '-');
}

/** scripts/dev.mjs: tsc in watch mode, and the app restarted by node --watch when dist/ changes. */
export function devScript(): string {
  return `// npm run dev: TypeScript in watch mode, and the app restarted (node --watch) whenever it recompiles.
// tsc rather than tsx or esbuild: Fleet injects by type, from decorator metadata only tsc emits.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiler = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let app;
compiler.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  // The first compilation is done: start the app once; node --watch restarts it on later ones.
  if (!app && String(chunk).includes('Watching for file changes')) {
    app = spawn(process.execPath, ['--watch', '--watch-preserve-output', 'dist/main.js'], { stdio: 'inherit' });
    app.on('exit', (code) => { compiler.kill(); process.exitCode = code ?? 0; });
  }
});
compiler.on('exit', (code) => { if (!app) process.exitCode = code ?? 1; });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => { compiler.kill(signal); app?.kill(signal); });
}
`;
}
