// Summarises a .cpuprofile: self time per function (top N) and inclusive time of functions
// whose name or file matches a pattern.
//   node bench/profile-top.mjs FILE [N=40] [pattern...]
import fs from 'node:fs';

const [file, nArg, ...patterns] = process.argv.slice(2);
const n = Number(nArg ?? 40);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const label = (node) => {
  const f = node.callFrame;
  const where = f.url ? f.url.replace(/^.*\/(node_modules\/)?/, (m, nm) => (nm ? 'nm:' : '')) + ':' + (f.lineNumber + 1) : '';
  return `${f.functionName || '(anon)'} ${where}`;
};
const agg = new Map();
for (const [id, t] of self) {
  const k = label(byId.get(id));
  agg.set(k, (agg.get(k) ?? 0) + t);
}
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
for (const [k, t] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((t / total) * 100).toFixed(2).padStart(6)} %  ${k}`);
for (const p of patterns) {
  const re = new RegExp(p);
  let incl = 0;
  for (const [id, t] of self) {
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      if (re.test(label(byId.get(cur)))) {
        incl += t;
        break;
      }
    }
  }
  console.log(`inclusive /${p}/: ${((incl / total) * 100).toFixed(2)} %`);
}
// DASHI_CALLERS=regex: who calls the matching functions (self time by caller chain, 4 frames).
if (process.env.DASHI_CALLERS) {
  const re = new RegExp(process.env.DASHI_CALLERS);
  const chains = new Map();
  for (const [id, t] of self) {
    if (!re.test(label(byId.get(id)))) continue;
    const chain = [];
    for (let cur = parent.get(id), i = 0; cur !== undefined && i < 6; cur = parent.get(cur), i++) chain.push(label(byId.get(cur)).trim());
    const k = chain.join(' < ');
    chains.set(k, (chains.get(k) ?? 0) + t);
  }
  for (const [k, t] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${((t / total) * 100).toFixed(2).padStart(6)} %  < ${k}`);
}
// DASHI_OWN=regex (e.g. '/src/'): each sample charged to the nearest enclosing frame whose file matches
// (so library and runtime time lands on the code that called it); the rest by its outermost frame.
if (process.env.DASHI_OWN) {
  const re = new RegExp(process.env.DASHI_OWN);
  const charged = new Map();
  for (const [id, t] of self) {
    let key = null;
    let outer = id;
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (re.test(node.callFrame.url)) {
        key = label(node);
        break;
      }
      if (node.callFrame.functionName !== '(root)') outer = cur;
    }
    key ??= `[other] ${label(byId.get(outer))}`;
    charged.set(key, (charged.get(key) ?? 0) + t);
  }
  for (const [k, t] of [...charged].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((t / total) * 100).toFixed(2).padStart(6)} %  ${k}`);
}
// DASHI_UNDER=regex: self time of everything below the matching frames, by function.
if (process.env.DASHI_UNDER) {
  const re = new RegExp(process.env.DASHI_UNDER);
  const under = new Map();
  for (const [id, t] of self) {
    let inside = false;
    for (let cur = id; cur !== undefined && !inside; cur = parent.get(cur)) inside = re.test(label(byId.get(cur)));
    if (!inside) continue;
    const k = label(byId.get(id));
    under.set(k, (under.get(k) ?? 0) + t);
  }
  for (const [k, t] of [...under].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${((t / total) * 100).toFixed(2).padStart(6)} %  ${k}`);
}
