// Builds the GOV.UK Frontend assets for the Governance Portal into ../static/govuk/.
// Usage: npm ci && npm run build
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as sass from 'sass'

const here = dirname(fileURLToPath(import.meta.url))
const pkg = join(here, 'node_modules/govuk-frontend/dist/govuk')
const out = join(here, '../static/govuk')
const STATIC_URL_PREFIX = '/static/govuk/'

// Start from a clean output folder so the result is reproducible.
rmSync(out, { recursive: true, force: true })
mkdirSync(join(out, 'assets'), { recursive: true })

// 1. CSS: council settings + the whole of govuk-frontend, compressed, no source map.
const { css } = sass.compile(join(here, 'src/portal.scss'), {
  loadPaths: [join(here, 'node_modules')],
  quietDeps: true,
  style: 'compressed',
  sourceMap: false
})
writeFileSync(join(out, 'govuk-frontend.min.css'), css + '\n')

// 2. JS: the ES module bundle. The source map is not shipped, so drop the
// sourceMappingURL comment (Django's ManifestStaticFilesStorage would fail on it).
const js = readFileSync(join(pkg, 'govuk-frontend.min.js'), 'utf8')
  .replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n')
writeFileSync(join(out, 'govuk-frontend.min.js'), js)

// 3. Assets: images and manifest.json only (no fonts: the portal uses Arial).
cpSync(join(pkg, 'assets/images'), join(out, 'assets/images'), { recursive: true })
if (existsSync(join(pkg, 'assets/manifest.json'))) {
  cpSync(join(pkg, 'assets/manifest.json'), join(out, 'assets/manifest.json'))
}

// 4. Checks: no GDS Transport / font files, and every url() resolves to a copied file.
const errors = []
if (/GDS Transport|\/fonts\//i.test(css)) errors.push('CSS references GDS Transport or fonts/')
for (const [, raw] of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
  if (raw.startsWith('data:')) continue
  if (!raw.startsWith(STATIC_URL_PREFIX)) {
    errors.push(`url() outside ${STATIC_URL_PREFIX}: ${raw}`)
  } else if (!existsSync(join(out, raw.slice(STATIC_URL_PREFIX.length)))) {
    errors.push(`url() points at a missing file: ${raw}`)
  }
}
if (/sourceMappingURL/.test(css + js)) errors.push('output still references a source map')
if (errors.length) {
  console.error(errors.join('\n'))
  process.exit(1)
}
console.log(`Built ${out} (govuk-frontend ${JSON.parse(readFileSync(join(pkg, '../../package.json'))).version})`)
