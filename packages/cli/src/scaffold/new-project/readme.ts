import { execBin, runScript, type NewProjectOptions } from './options.js';

export function readme(options: NewProjectOptions): string {
  const pm = options.packageManager;
  const services = options.features.length > 0;
  const needs = [...(options.features.includes('database') ? ['PostgreSQL'] : []), ...(options.features.includes('redis') ? ['Redis'] : [])];
  return `# ${options.name}

A Fleet service: stateless instances behind a load balancer, state in PostgreSQL and Redis.

## Run it, test it

\`\`\`sh
${runScript(pm, 'dev')}     # http://127.0.0.1:3000/hello, rebuilt and restarted on every change
${runScript(pm, 'test')}        # type-check, then the unit and HTTP tests
\`\`\`
${services ? `\nThe app and its tests need ${needs.join(' and ')}: \`docker compose up -d --wait\` starts them on 127.0.0.1 (see \`compose.yaml\`).\n` : ''}
In production: \`${runScript(pm, 'build')}\`, then \`NODE_ENV=production ${runScript(pm, 'start')}\` (runs \`dist/main.js\`; configure it with the variables of \`.env.example\`).

## Layout

\`\`\`text
src/main.ts                  boots the app and listens
src/app.module.ts            the root module
src/config.ts                the settings, read from environment variables (.env.example)
src/hello/                   a module: controller, service, and the service's unit test
test/hello.test.ts           the HTTP test: the whole app over real HTTP (@fleet/testing)${options.features.includes('database') ? `
src/notes/                   a PostgreSQL repository and its test
migrations/                  SQL migrations, applied at boot` : ''}
compose.yaml                 PostgreSQL primary + replica and Redis, for when the app needs them
\`\`\`

## Next

\`\`\`sh
${execBin(pm, 'fleet')} generate service orders      # src/orders/orders.service.ts + test, registered in the nearest module
${execBin(pm, 'fleet')} generate --help              # controller, service, repository, module, job
${execBin(pm, 'fleet')} routes                       # the route table (after ${runScript(pm, 'build')})
${execBin(pm, 'fleet')} doctor                       # what would break when you run many instances
\`\`\`
`;
}
