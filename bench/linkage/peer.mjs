// bench/linkage/peer.mjs — the linkage benchmark's peer: the linkage Splink
// would run, written directly in DuckDB SQL, on the files and the model that
// `reach link` produced.
//
//   node peer.mjs --register R.norm.csv --enrolment E.norm.csv --model model.json
//                 --out DIR [--threads N] [--threshold P] [--pairs FILE]
//                 [--register-raw R.csv --enrolment-raw E.csv]
//
// Inputs are Reach's normalised files (`reach link --normalised`: names
// folded, tone-keeping form, consonant skeleton, term frequencies) and
// Reach's trained model.json (blocking rules, comparison levels, m, u, λ),
// so both engines decide from the same evidence and only the engine
// differs. The peer runs as Splink's DuckDB backend does, in stages:
//
//   read    both files into tables, with the per-record columns the
//           comparisons need (year, month and day; a word list per name;
//           the sorted words of the whole name; whether a national id is a
//           valid Iranian code; term frequencies as log2)
//   block   the candidate pairs: for each blocking rule an equi-join of the
//           two tables on the rule's keys, minus the pairs an earlier rule
//           found (AND NOT coalesce(earlier rule, false), as Splink excludes
//           them), UNION ALL over the rules
//   score   each pair's comparison levels (Splink's gamma columns) with CASE
//           expressions in the engine's order, using DuckDB's
//           jaro_winkler_similarity as Splink does; then, as Reach does, the
//           given and family names compared crossed when one meets the
//           other's across and that ranks better, and both raised to
//           "tokens" when all the words of one whole name are in the other;
//           the match weight is log2(λ/(1-λ)) plus each level's log2(m/u),
//           with the term-frequency adjustment log2(u) - log2(tf) on exact
//           levels (Splink's tf adjustment)
//   assign  greedy one-to-one in SQL, in rounds: a pair at or above the
//           threshold is accepted when it is the heaviest remaining pair of
//           both its register row and its enrolment row (ties broken by row
//           order, as Reach breaks them); the accepted pairs and every pair
//           touching their rows are removed and the round repeats until none
//           is left. That is exactly the greedy "sort by weight, accept when
//           both sides are free" matching (each accepted pair is one greedy
//           would accept when it got there), without leaving DuckDB.
//   write   DIR/matches.csv, DIR/out_of_school.csv (every register row not
//           matched, with its best candidate) and DIR/report.json in the
//           shape of Reach's report.json; with --pairs, every scored pair and
//           its weight (to compare with Reach pair by pair).
//
// The word forms of names (for the "tokens" level and "fullname" keys) are
// read from NAME_words columns when the normalised files have them;
// otherwise from the raw files (--register-raw, --enrolment-raw), folded
// here (lower case, marks removed, separators made spaces) and used only
// where they agree with Reach's folded value; otherwise a name is one word.
//
// DuckDB's threads are set to --threads (default: every core) so the peer
// uses the same cores as Reach; its spill files go under DIR. PEER_TRACE=1
// prints the time of every statement.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

const usage = 'usage: node peer.mjs --register R.norm.csv --enrolment E.norm.csv --model model.json --out DIR\n' +
	'       [--threads N] [--threshold P] [--pairs FILE] [--register-raw R.csv --enrolment-raw E.csv]';

// The levels of each kind of comparison in the engine's order and
// numbering (src/linkage/schema.c); -1 is the null level.
const LEVELS = {
	name: ['exact_tones', 'exact', 'tokens', 'skeleton', 'jw1', 'jw2', 'else'],
	string: ['exact', 'osa1', 'jw1', 'jw2', 'else'],
	date: ['exact', 'swap', 'near', 'one_edit', 'year', 'else'],
	nid: ['exact', 'one_edit', 'else'],
	exact: ['exact', 'else'],
	region: ['exact', 'near', 'else'],
};
const NAME = Object.fromEntries(LEVELS.name.map((l, i) => [l, i]));

function fail(msg) {
	process.stderr.write(`peer: ${msg}\n`);
	process.exit(1);
}

function parseArgs(argv) {
	const a = { threads: availableParallelism() };
	for (let i = 0; i < argv.length; i += 2) {
		const k = argv[i], v = argv[i + 1];
		if (!k.startsWith('--') || v === undefined) fail(usage);
		a[k.slice(2)] = v;
	}
	for (const k of ['register', 'enrolment', 'model', 'out'])
		if (!a[k]) fail(usage);
	if (!a['register-raw'] !== !a['enrolment-raw']) fail('--register-raw and --enrolment-raw go together');
	a.threads = Number(a.threads);
	if (!Number.isInteger(a.threads) || a.threads < 1) fail('--threads must be a whole number >= 1');
	return a;
}

// Everything put into the SQL text: numbers checked finite, names checked
// to be plain identifiers, paths quoted.
function num(x, what) {
	const n = Number(x);
	if (x === null || x === undefined || x === '' || !Number.isFinite(n)) fail(`model.json: ${what} is not a number`);
	return String(n);
}

// A number as a DOUBLE literal: a bare 0.97 is a DECIMAL in DuckDB, and
// CASE arms of mixed DECIMAL widths make the whole sum slow decimal maths.
function dbl(x, what) {
	return `${num(x, what)}::DOUBLE`;
}

function ident(s, what) {
	if (typeof s !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) fail(`model.json: ${what} "${s}" is not a column name`);
	return s;
}

function path(p) {
	return `'${resolve(p).replaceAll("'", "''")}'`;
}

const secs = (t0) => (performance.now() - t0) / 1000;

// With PEER_TRACE=1, every statement's time goes to standard error.
function traced(con) {
	if (process.env.PEER_TRACE !== '1') return con;
	const wrap = (fn) => async (sql) => {
		const t0 = performance.now();
		const res = await fn.call(con, sql);
		process.stderr.write(`peer: ${secs(t0).toFixed(3)} s  ${sql.replace(/\s+/g, ' ').slice(0, 140)}\n`);
		return res;
	};
	return { run: wrap(con.run), runAndReadAll: wrap(con.runAndReadAll) };
}

async function rowsOf(con, sql) {
	return (await con.runAndReadAll(sql)).getRowObjects();
}

async function count(con, sql) {
	return Number((await rowsOf(con, sql))[0].n);
}

async function csvColumns(con, file) {
	return (await rowsOf(con, `DESCRIBE SELECT * FROM read_csv(${path(file)}, header = true, all_varchar = true)`))
		.map((r) => r.column_name);
}

// text_fold, near enough, for the word forms of raw names: lower case,
// zero-width joiners dropped, marks removed, the letters that do not
// decompose and the Arabic-script variants mapped, separators made spaces.
function foldWords(x) {
	return `trim(regexp_replace(translate(strip_accents(lower(replace(replace(${x}, chr(8204), ''), chr(8205), ''))), ` +
		`'đðəłøħıيىئكةۀەأإآٱؤ', 'ddelohiیییکهههااااو'), '[^\\p{L}\\p{N}]+', ' ', 'g'))`;
}

function fieldOf(c) {
	return ident(c.field ?? c.name, 'comparison field');
}

// The table of one side: the normalised file, every column as text ('' read
// as NULL) but tf_* as numbers, with the derived columns; i is the row in
// file order.
async function load(con, name, file, raw, model, names, keys) {
	const cols = await csvColumns(con, file);
	const have = new Set(cols);
	if (!have.has('id')) fail(`${file} has no id column`);
	const sel = cols.map((c) => (c.startsWith('tf_')
		? `TRY_CAST(${ident(c, 'column')} AS DOUBLE) AS ${c}`
		: `NULLIF(${ident(c, 'column')}, '') AS ${c}`));
	const needWords = model.comparisons.filter((c) => c.kind === 'name').map(fieldOf).filter((f) => !have.has(`${f}_words`));
	let from = `${name}0`;
	await con.run(`CREATE TABLE ${name}0 AS SELECT ${sel.join(', ')} FROM read_csv(${path(file)}, header = true, all_varchar = true)`);
	if (raw && needWords.length) {
		const rawCols = new Set(await csvColumns(con, raw));
		const ws = needWords.filter((f) => rawCols.has(f));
		if (ws.length) {
			// Only a name with something besides letters, marks and digits
			// can have several words; the others are their folded value.
			await con.run(`CREATE TABLE ${name}w AS SELECT id, ${ws.map((f) =>
				`CASE WHEN regexp_matches(${f}, '[^\\p{L}\\p{M}\\p{N}]') THEN ${foldWords(f)} END AS ${f}_words`).join(', ')} ` +
				`FROM read_csv(${path(raw)}, header = true, all_varchar = true)`);
			from = `${name}0 LEFT JOIN ${name}w USING (id)`;
			for (const f of ws) have.add(`${f}_words`);
		}
	}

	const derived = [];
	const tf = {};
	for (const c of model.comparisons) {
		const f = fieldOf(c);
		if (!have.has(f)) fail(`${file} has no column ${f} (comparison ${c.name})`);
		if (have.has(`tf_${f}`)) {
			// Reach writes log2 of the term frequency (<= 0); a share in
			// (0, 1] is taken too.
			const max = (await rowsOf(con, `SELECT max(tf_${f}) AS m FROM ${name}0`))[0].m;
			tf[f] = max !== null && max > 0 ? `log2(tf_${f})` : `tf_${f}`;
			derived.push(`${tf[f]} AS ${f}__tf`);
		}
		switch (c.kind) {
		case 'name': {
			// Words only where they agree with Reach's folded value.
			const w = have.has(`${f}_words`)
				? `CASE WHEN replace(${f}_words, ' ', '') = ${f} THEN ${f}_words ELSE ${f} END` : f;
			derived.push(`CASE WHEN ${f} IS NOT NULL THEN string_split(${w}, ' ') END AS ${f}__tok`);
			break;
		}
		case 'date':
			derived.push(`length(${f}) = 10 AS ${f}__full`, `TRY_CAST(substr(${f}, 1, 4) AS INTEGER) AS ${f}__y`,
				`TRY_CAST(substr(${f}, 6, 2) AS INTEGER) AS ${f}__m`, `TRY_CAST(substr(${f}, 9, 2) AS INTEGER) AS ${f}__d`,
				`CASE WHEN length(${f}) = 10 THEN TRY_CAST(${f} AS DATE) END AS ${f}__date`);
			break;
		case 'nid':
			// For the Iranian check digit: the weighted sum of the first
			// nine digits mod 11, of ten digits not all the same.
			derived.push(`CASE WHEN regexp_full_match(${f}, '[0-9]{10}') AND ${f} <> repeat(substr(${f}, 1, 1), 10) ` +
				`THEN list_sum(list_transform(range(9), k -> (ascii(substr(${f}, k + 1, 1)) - 48) * (10 - k))) % 11 END AS ${f}__irs`);
			break;
		case 'region':
			derived.push(`${have.has(`${f}_parent`) ? `${f}_parent` : have.has('region_parent') ? 'region_parent' : 'NULL'} AS ${f}__parent`);
			break;
		}
	}
	// Rows are numbered in file order by the first table's rowid: ties in
	// the greedy step are broken by it, as Reach breaks them.
	const first = `SELECT ${name}0.rowid AS i, *${derived.length ? ', ' + derived.join(', ') : ''} FROM ${from}`;
	// Second-order columns: the Iranian check digit from the sum; the words
	// of the whole name, sorted (the "fullname" key, and the test that
	// raises both names to "tokens").
	const more = model.comparisons.filter((c) => c.kind === 'nid').map(fieldOf).map((f) =>
		`coalesce(ascii(substr(${f}, 10, 1)) - 48 = CASE WHEN ${f}__irs < 2 THEN ${f}__irs ELSE 11 - ${f}__irs END, false) AS ${f}__ir`);
	const full = names ? `list_sort(list_concat(coalesce(${names[0]}__tok, []), coalesce(${names[1]}__tok, [])))` : null;
	if (full) more.push(`${full} AS __fulltok`);
	// The blocking keys, each a column, so that the joins and the
	// exclusions of earlier rules compare plain columns.
	const keyCol = new Map();
	for (const k of keys) {
		const id = `${k.key}|${k.swap}`;
		if (keyCol.has(id)) continue;
		keyCol.set(id, `__k${keyCol.size}`);
		more.push(`${keyExpr(k.key, k.swap, names, have, full)} AS __k${keyCol.size - 1}`);
	}
	await con.run(`CREATE TABLE ${name} AS SELECT *${more.length ? ', ' + more.join(', ') : ''} FROM (${first})`);
	await con.run(`DROP TABLE ${name}0`);
	if (from !== `${name}0`) await con.run(`DROP TABLE ${name}w`);
	return { rows: await count(con, `SELECT count(*) AS n FROM ${name}`), have, tf, keyCol };
}

// ---- Blocking ---------------------------------------------------------

function swapPair(model) {
	const s = model.name_swap;
	if (s === false) return null;
	if (Array.isArray(s) && s.length === 2) return s.map((x) => ident(x, 'name_swap'));
	return ['given_name', 'family_name'];
}

// A blocking key part ("given_name:skeleton") as an expression over the
// columns of one side; swapped: the given and family names exchanged (the
// enrolment side of a "swap" rule); full: the sorted words of the name.
function keyExpr(key, swapped, names, have, full) {
	let [field, x] = String(key).split(':');
	ident(field, 'blocking key');
	if (swapped && names && field === names[0]) field = names[1];
	else if (swapped && names && field === names[1]) field = names[0];
	const need = (c) => {
		if (!have.has(c)) fail(`blocking key ${key}: no column ${c} in the normalised files`);
		return c;
	};
	if (x === undefined) return need(field);
	if (x === 'skeleton') return need(`${field}_skeleton`);
	if (x === 'year') return `CASE WHEN length(${need(field)}) >= 4 THEN substr(${field}, 1, 4) END`;
	if (x === 'parent') return have.has(`${field}_parent`) ? `${field}_parent` : have.has('region_parent') ? 'region_parent' : need(field);
	if (x === 'prefix3') return `substr(${need(field)}, 1, 3)`;
	if (/^parts[1-9]$/.test(x)) return `array_to_string((string_split(${need(field)}, '-'))[1:${x.slice(5)}], '-')`;
	if (x === 'fullname') {
		if (!full) fail(`blocking key ${key}: "fullname" needs name_swap`);
		return `CASE WHEN len(${full}) > 0 THEN array_to_string(${full}, ' ') END`;
	}
	fail(`blocking key ${key}: the peer does not know the transform "${x}"`);
}

// The key parts each side needs.
function blockingKeys(model, side) {
	return model.blocking.flatMap((rule, k) => {
		if (!Array.isArray(rule.keys) || rule.keys.length === 0) fail(`blocking rule ${k} has no keys`);
		return rule.keys.map((key) => ({ key: String(key), swap: side === 'r' && !!rule.swap }));
	});
}

function blockingRules(model, reg, enr) {
	return model.blocking.map((rule, k) => {
		const eqs = rule.keys.map((key) =>
			`l.${reg.keyCol.get(`${key}|false`)} = r.${enr.keyCol.get(`${key}|${!!rule.swap}`)}`);
		return { name: String(rule.name ?? `rule${k}`), cond: `(${eqs.join(' AND ')})` };
	});
}

// ---- Comparison levels (the engine's, src/linkage/pair.c) --------------

// list_has_all of the shorter word list in the longer (Reach counts
// repeated words; DuckDB's lists are sets here).
function subset(a, b) {
	return `(len(${a}) > 0 AND len(${b}) > 0 AND CASE WHEN len(${a}) <= len(${b}) THEN list_has_all(${b}, ${a}) ` +
		`ELSE list_has_all(${a}, ${b}) END)`;
}

// The level of name x of l against name y of r.
function nameLevel(c, x, y) {
	const th = Array.isArray(c.thresholds) ? c.thresholds : [];
	const t1 = dbl(th[0] ?? 0.92, `${c.name}.thresholds[0]`), t2 = dbl(th[1] ?? 0.8, `${c.name}.thresholds[1]`);
	const jw = `jaro_winkler_similarity(l.${x}, r.${y})`;
	return `CASE WHEN l.${x} IS NULL OR r.${y} IS NULL THEN -1 ` +
		`WHEN l.${x} = r.${y} THEN CASE WHEN l.${x}_tones IS NOT DISTINCT FROM r.${y}_tones THEN 0 ELSE 1 END ` +
		`WHEN CASE WHEN len(l.${x}__tok) > 1 OR len(r.${y}__tok) > 1 THEN ${subset(`l.${x}__tok`, `r.${y}__tok`)} ` +
		`ELSE false END THEN 2 ` +
		`WHEN l.${x}_skeleton = r.${y}_skeleton THEN 3 ` +
		`WHEN ${jw} >= ${t1} THEN 4 WHEN ${jw} >= ${t2} THEN 5 ` +
		`WHEN abs(length(l.${x}) - length(r.${y})) <= 1 AND damerau_levenshtein(l.${x}, r.${y}) <= 1 THEN 5 ELSE 6 END`;
}

function level(c) {
	const f = fieldOf(c);
	const L = (s = '') => `l.${f}${s}`, R = (s = '') => `r.${f}${s}`;
	const missing = `${L()} IS NULL OR ${R()} IS NULL`;
	switch (c.kind) {
	case 'name':
		return nameLevel(c, f, f);
	case 'string': {
		const th = Array.isArray(c.thresholds) ? c.thresholds : [];
		const jw = `jaro_winkler_similarity(${L()}, ${R()})`;
		return `CASE WHEN ${missing} THEN -1 WHEN ${L()} = ${R()} THEN 0 ` +
			`WHEN abs(length(${L()}) - length(${R()})) <= 1 AND damerau_levenshtein(${L()}, ${R()}) <= 1 THEN 1 ` +
			`WHEN ${jw} >= ${dbl(th[0] ?? 0.92, `${c.name}.thresholds[0]`)} THEN 2 ` +
			`WHEN ${jw} >= ${dbl(th[1] ?? 0.8, `${c.name}.thresholds[1]`)} THEN 3 ELSE 4 END`;
	}
	case 'date': {
		const full = `${L('__full')} AND ${R('__full')}`;
		// Two full dates are ten characters each, so one edit is one
		// substitution: hamming 1 is levenshtein 1, many times faster
		// (and CASE, unlike AND, keeps hamming off strings of other lengths).
		return `CASE WHEN ${missing} THEN -1 ` +
			`WHEN ${full} THEN CASE WHEN ${L()} = ${R()} THEN 0 ` +
			`WHEN ${L('__y')} = ${R('__y')} AND ${L('__m')} = ${R('__d')} AND ${L('__d')} = ${R('__m')} AND ${L('__m')} <> ${L('__d')} THEN 1 ` +
			`WHEN abs(${L('__date')} - ${R('__date')}) = 1 THEN 2 ` +
			`WHEN hamming(${L()}, ${R()}) = 1 OR (${L('__y')} = ${R('__y')} AND ${L('__m')} = ${R('__m')}) THEN 3 ELSE 5 END ` +
			`WHEN ${L('__y')} = ${R('__y')} THEN 4 ELSE 5 END`;
	}
	case 'nid':
		// One edit: the same length and one substitution (hamming 1) or one
		// swap of neighbours (hamming 2, damerau_levenshtein 1: the hamming
		// test first spares most pairs DuckDB's slow damerau_levenshtein).
		// Two valid Iranian codes one edit apart are two people.
		return `CASE WHEN ${missing} THEN -1 WHEN ${L()} = ${R()} THEN 0 ` +
			`WHEN length(${L()}) <> length(${R()}) THEN 2 ` +
			`WHEN CASE hamming(${L()}, ${R()}) WHEN 1 THEN true WHEN 2 THEN damerau_levenshtein(${L()}, ${R()}) = 1 ELSE false END ` +
			`THEN CASE WHEN length(${L()}) = 10 AND ${L('__ir')} AND ${R('__ir')} THEN 2 ELSE 1 END ELSE 2 END`;
	case 'region':
		return `CASE WHEN ${missing} THEN -1 WHEN ${L()} = ${R()} THEN 0 ` +
			`WHEN ${L('__parent')} = ${R('__parent')} OR starts_with(${R()}, ${L()} || '-') OR starts_with(${L()}, ${R()} || '-') ` +
			`THEN 1 ELSE 2 END`;
	case 'exact':
		return `CASE WHEN ${missing} THEN -1 WHEN ${L()} = ${R()} THEN 0 ELSE 1 END`;
	default:
		fail(`comparison ${c.name}: the peer does not know the kind "${c.kind}"`);
	}
}

// The weight of comparison c at level column v, with the term-frequency
// adjustment log2(u) - log2(tf) on the exact levels (tf column t).
function weight(c, v, t) {
	const labels = LEVELS[c.kind];
	const byLabel = new Map((c.levels ?? []).map((lv) => [String(lv.label), lv]));
	const arms = labels.map((label, k) => {
		const lv = byLabel.get(label);
		if (!lv) fail(`model.json: comparison ${c.name} has no level "${label}"`);
		const w = dbl(lv.weight, `${c.name}.${label}.weight`);
		const exact = c.kind === 'name' ? k <= NAME.exact : k === 0;
		if (!c.tf || !t || !exact) return `WHEN ${k} THEN ${w}`;
		const log2u = Number(lv.u) > 0 ? dbl(Math.log2(Number(lv.u)), `${c.name}.${label}.u`)
			: `(${w} - ${dbl(Math.log2(Number(lv.m)), `${c.name}.${label}.m`)})`;
		return `WHEN ${k} THEN ${w} + CASE WHEN ${t} < 0 THEN ${log2u} - ${t} ELSE 0 END`;
	});
	return `(CASE ${v} ${arms.join(' ')} ELSE 0::DOUBLE END)`;
}

// ---- The run ------------------------------------------------------------

async function main() {
	const a = parseArgs(process.argv.slice(2));
	const tAll = performance.now();
	let model;
	try { model = JSON.parse(readFileSync(a.model, 'utf8')); } catch (e) { fail(`${a.model}: ${e.message}`); }
	if (!Array.isArray(model.blocking) || !Array.isArray(model.comparisons)) fail(`${a.model}: no blocking or comparisons`);
	const lambda = Number(num(model.lambda, 'lambda'));
	if (!(lambda > 0 && lambda < 1)) fail('model.json: lambda must be in (0, 1)');
	const threshold = Number(num(a.threshold ?? model.threshold ?? 0.5, 'threshold'));
	const comps = model.comparisons;
	for (const c of comps) if (!LEVELS[c.kind]) fail(`comparison ${c.name}: the peer does not know the kind "${c.kind}"`);
	let names = swapPair(model);
	const gi = names ? comps.findIndex((c) => fieldOf(c) === names[0] && c.kind === 'name') : -1;
	const fi = names ? comps.findIndex((c) => fieldOf(c) === names[1] && c.kind === 'name') : -1;
	if (gi < 0 || fi < 0) names = null;
	const ni = names ? gi : -1, nf = names ? fi : -1;
	mkdirSync(a.out, { recursive: true });

	const db = await DuckDBInstance.create(':memory:', { threads: String(a.threads) });
	const con = traced(await db.connect());
	await con.run(`SET temp_directory = ${path(`${a.out}/duckdb.tmp`)}`);
	const seconds = {};

	let t0 = performance.now();
	const reg = await load(con, 'l', a.register, a['register-raw'], model, names, blockingKeys(model, 'l'));
	const enr = await load(con, 'r', a.enrolment, a['enrolment-raw'], model, names, blockingKeys(model, 'r'));
	for (const c of reg.have) if (!enr.have.has(c)) fail(`${a.enrolment} has no column ${c}`);
	const words = [...reg.have].some((c) => c.endsWith('_words'));
	seconds.read = secs(t0);
	await con.run('SET preserve_insertion_order = false');

	// Blocking: the candidate pairs, each under the first rule that finds it.
	const rules = blockingRules(model, reg, enr);
	t0 = performance.now();
	await con.run(`CREATE TABLE pairs AS ${rules.map((rule, k) =>
		`SELECT ${k}::UTINYINT AS rule, l.i AS li, r.i AS ri FROM l JOIN r ON ${rule.cond}` +
		rules.slice(0, k).map((e) => ` AND NOT coalesce(${e.cond}, false)`).join('')).join(' UNION ALL ')}`);
	seconds.block = secs(t0);

	// Scoring: the levels of every comparison (the gamma columns), with
	// whether the given and family names meet across; then the crossed
	// levels where they do; then the whole-name words; then the weights.
	t0 = performance.now();
	const lv = comps.map((c, k) => `(${level(c)})::TINYINT AS c${k}`);
	const carry = comps.map((c, k) => (reg.tf[fieldOf(c)] ? `l.${fieldOf(c)}__tf AS t${k}` : null)).filter(Boolean);
	let crossed = 'false';
	if (names) {
		const [g, f] = names;
		const meets = (x, y) => `(l.${x}__tok IS NOT NULL AND r.${y}__tok IS NOT NULL AND ` +
			`(l.${x}_skeleton = r.${y}_skeleton OR ${subset(`l.${x}__tok`, `r.${y}__tok`)}))`;
		crossed = `CASE WHEN l.${g} <> r.${g} OR l.${f} <> r.${f} THEN coalesce(${meets(g, f)} OR ${meets(f, g)}, false) ELSE false END`;
	}
	await con.run(`CREATE TABLE lv AS SELECT p.rule, p.li, p.ri, ${[...lv, ...carry].join(', ')}, ${crossed} AS crossed
		FROM pairs p JOIN l ON l.i = p.li JOIN r ON r.i = p.ri`);
	let g = null, f = null;
	if (names) {
		const rank = (x) => `(CASE WHEN ${x} < 0 THEN 6 ELSE ${x} END)`;
		const [gn, fn] = names;
		await con.run(`CREATE TABLE sw AS SELECT li, ri, gs, fs FROM (SELECT p.li, p.ri, p.c${gi} AS g0, p.c${fi} AS f0,
			(${nameLevel(comps[gi], gn, fn)}) AS gs, (${nameLevel(comps[fi], fn, gn)}) AS fs
			FROM lv p JOIN l ON l.i = p.li JOIN r ON r.i = p.ri WHERE p.crossed)
			WHERE gs >= 0 AND fs >= 0 AND ${rank('gs')} + ${rank('fs')} < ${rank('g0')} + ${rank('f0')}`);
		// After the swap: both names raised to "tokens" when one is at
		// "skeleton" or better, the other worse than "tokens", and all the
		// words of one whole name are in the other's.
		await con.run(`CREATE TABLE lv2 AS SELECT p.*, coalesce(s.gs, p.c${gi}) AS g1, coalesce(s.fs, p.c${fi}) AS f1
			FROM lv p LEFT JOIN sw s ON s.li = p.li AND s.ri = p.ri`);
		await con.run(`CREATE TABLE fw AS SELECT p.li, p.ri FROM lv2 p JOIN l ON l.i = p.li JOIN r ON r.i = p.ri
			WHERE (p.g1 > 2 OR p.f1 > 2) AND (p.g1 <= 3 OR p.f1 <= 3) AND p.g1 >= 0 AND p.f1 >= 0
			AND ${subset('l.__fulltok', 'r.__fulltok')}`);
		g = `CASE WHEN w.li IS NOT NULL AND p.g1 > 2 THEN 2 ELSE p.g1 END`;
		f = `CASE WHEN w.li IS NOT NULL AND p.f1 > 2 THEN 2 ELSE p.f1 END`;
	}
	const terms = comps.map((c, k) => {
		const v = k === ni && g ? g : k === nf && f ? f : `p.c${k}`;
		return weight(c, v, reg.tf[fieldOf(c)] ? `p.t${k}` : null);
	});
	const prior = dbl(Math.log2(lambda / (1 - lambda)), 'log2(lambda / (1 - lambda))');
	await con.run(`CREATE TABLE scored AS SELECT p.rule, p.li, p.ri, ${prior} + ${terms.join(' + ')} AS w
		FROM ${names ? 'lv2 p LEFT JOIN fw w ON w.li = p.li AND w.ri = p.ri' : 'lv p'}`);
	seconds.score = secs(t0);
	const perRule = await rowsOf(con, 'SELECT rule, count(*) AS n FROM scored GROUP BY rule');
	const pairs = rules.map((r, k) => ({ name: r.name, pairs: Number(perRule.find((x) => Number(x.rule) === k)?.n ?? 0) }));
	const total = pairs.reduce((s, r) => s + r.pairs, 0);
	const swapped = names ? await count(con, 'SELECT count(*) AS n FROM sw') : 0;

	// Greedy one-to-one, in rounds of pairs that are the heaviest of both
	// their rows.
	t0 = performance.now();
	await con.run(`CREATE TABLE cand AS SELECT li, ri, w FROM scored WHERE 1 / (1 + pow(2, -w)) >= ${dbl(threshold, 'threshold')}`);
	await con.run('CREATE TABLE matched (li BIGINT, ri BIGINT, w DOUBLE)');
	let rounds = 0;
	for (;;) {
		await con.run(`CREATE OR REPLACE TABLE pick AS SELECT li, ri, w FROM (SELECT li, ri, w,
			row_number() OVER (PARTITION BY li ORDER BY w DESC, ri) AS rl,
			row_number() OVER (PARTITION BY ri ORDER BY w DESC, li) AS rr FROM cand) WHERE rl = 1 AND rr = 1`);
		if (await count(con, 'SELECT count(*) AS n FROM pick') === 0) break;
		rounds++;
		await con.run('INSERT INTO matched SELECT li, ri, w FROM pick');
		await con.run(`CREATE OR REPLACE TABLE cand AS SELECT c.li, c.ri, c.w FROM cand c
			ANTI JOIN pick p ON c.li = p.li ANTI JOIN pick q ON c.ri = q.ri`);
	}
	seconds.assign = secs(t0);

	t0 = performance.now();
	const prob = (w) => `round(1 / (1 + pow(2, -${w})), 6)`;
	await con.run(`COPY (SELECT l.id AS register_id, r.id AS enrolment_id, ${prob('m.w')} AS probability,
		round(m.w, 4) AS weight FROM matched m JOIN l ON l.i = m.li JOIN r ON r.i = m.ri ORDER BY m.li)
		TO ${path(`${a.out}/matches.csv`)} (HEADER, DELIMITER ',')`);
	await con.run(`COPY (SELECT l.id AS register_id, r.id AS best_enrolment_id,
		CASE WHEN b.w IS NOT NULL THEN ${prob('b.w')} END AS best_probability
		FROM l ANTI JOIN matched m ON m.li = l.i
		LEFT JOIN (SELECT li, arg_max(ri, w) AS ri, max(w) AS w FROM scored GROUP BY li) b ON b.li = l.i
		LEFT JOIN r ON r.i = b.ri ORDER BY l.i) TO ${path(`${a.out}/out_of_school.csv`)} (HEADER, DELIMITER ',')`);
	if (a.pairs)
		await con.run(`COPY (SELECT s.rule, l.id AS register_id, r.id AS enrolment_id, s.w AS weight FROM scored s
			JOIN l ON l.i = s.li JOIN r ON r.i = s.ri) TO ${path(a.pairs)} (HEADER, DELIMITER ',')`);
	const matches = await count(con, 'SELECT count(*) AS n FROM matched');
	seconds.write = secs(t0);
	seconds.total = secs(tAll);

	const report = {
		engine: 'duckdb', duckdb: (await rowsOf(con, 'SELECT version() AS v'))[0].v, threads: a.threads,
		register: { rows: reg.rows, rejected: 0 }, enrolment: { rows: enr.rows, rejected: 0 },
		candidates: { total, rules: pairs }, pairs_scored: total,
		seconds, matches, out_of_school: reg.rows - matches, assign_rounds: rounds, swapped_names: swapped,
		threshold, name_words: words ? 'words' : 'none',
	};
	writeFileSync(`${a.out}/report.json`, JSON.stringify(report) + '\n');
	const fx = (x) => x.toFixed(2);
	console.log(`peer: DuckDB ${report.duckdb}, ${a.threads} threads; ${reg.rows} register rows x ${enr.rows} enrolment rows`);
	console.log(`peer: ${total} candidate pairs (${pairs.map((r) => `${r.name} ${r.pairs}`).join(', ')})`);
	console.log(`peer: blocking ${fx(seconds.block)} s, scoring ${fx(seconds.score)} s: ` +
		`${Math.round(total / Math.max(seconds.block + seconds.score, 1e-9))} pairs/s; ${swapped} pairs with names crossed`);
	console.log(`peer: ${matches} matches in ${rounds} greedy rounds (${fx(seconds.assign)} s); ` +
		`read ${fx(seconds.read)} s, write ${fx(seconds.write)} s, total ${fx(seconds.total)} s`);
	if (!words) console.log('peer: no word forms of names (NAME_words columns or --register-raw): every name is one word');
}

main().catch((e) => fail(e.stack ?? String(e)));
