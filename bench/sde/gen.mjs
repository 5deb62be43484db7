// Generate SDEverywhere C (or JS) for a Vensim .mdl with @sdeverywhere/compile,
// the way `sde generate --genc` does (parseAndGenerate on the raw .mdl text).
// Usage: node gen.mjs MODEL.mdl OUTDIR [c|js|list] [SPEC.json]
// With no SPEC, every variable the model lists (printVarList) is an output,
// (arrays element by element), so SDE stores every variable at every save point,
// as libsim's benchmarks do.
import fs from 'node:fs'
import path from 'node:path'
import { parseAndGenerate, resetState } from '@sdeverywhere/compile'

const [, , mdl, outDir, lang = 'c', specPath] = process.argv
if (!mdl || !outDir) {
  console.error('usage: node gen.mjs MODEL.mdl OUTDIR [c|js|list] [SPEC.json]')
  process.exit(2)
}
const modelPath = path.resolve(mdl)
const modelDir = path.dirname(modelPath)
const modelName = path.basename(modelPath, '.mdl')
fs.mkdirSync(outDir, { recursive: true })
const text = fs.readFileSync(modelPath, 'utf8')

let spec
if (specPath) {
  spec = JSON.parse(fs.readFileSync(specPath, 'utf8'))
} else {
  // First pass: list the variables.
  await parseAndGenerate(text, 'vensim', {}, ['printVarList'], modelDir, modelName, outDir)
  const listing = JSON.parse(fs.readFileSync(path.join(outDir, `${modelName}.json`), 'utf8'))
  resetState()
  // C name of a dimension or element -> its Vensim element names
  const dims = new Map(listing.dimensions.map(d => [d.name, d.modelValue]))
  const elems = new Map()
  for (const d of listing.dimensions) d.value.forEach((e, i) => elems.set(e, d.modelValue[i]))
  const names = []
  const add = n => {
    if (!names.includes(n)) names.push(n)
  }
  for (const v of listing.variables) {
    // Skip lookups and data variables (no value per step) and the control variables
    if (v.varType === 'lookup' || v.varType === 'data') continue
    if (['_time', '_initial_time', '_final_time', '_time_step', '_saveper'].includes(v.refId)) continue
    // Vensim names; a subscripted variable is listed element by element
    const base = v.modelLHS.split('[')[0].trim()
    const subs = v.subscripts || []
    if (subs.length === 0) {
      add(base)
      continue
    }
    let combos = [[]]
    for (const sub of subs) {
      const choices = dims.has(sub) ? dims.get(sub) : [elems.get(sub)]
      combos = combos.flatMap(c => choices.map(e => [...c, e]))
    }
    for (const c of combos) add(`${base}[${c.join(',')}]`)
  }
  spec = { inputVarNames: [], outputVarNames: names }
  fs.writeFileSync(path.join(outDir, `${modelName}_spec.json`), JSON.stringify(spec, null, 2))
}
if (lang === 'list') process.exit(0)
const op = lang === 'js' ? 'generateJS' : 'generateC'
await parseAndGenerate(text, 'vensim', spec, [op], modelDir, modelName, outDir)
console.log(`${modelName}: ${spec.outputVarNames.length} outputs -> ${path.join(outDir, modelName + (lang === 'js' ? '.js' : '.c'))}`)
