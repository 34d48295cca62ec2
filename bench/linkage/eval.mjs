// bench/linkage/eval.mjs — how right a linkage is, against the truth.
//
//   node eval.mjs --matches M.csv [--out-of-school O.csv] --truth T.csv
//                 --enrolment E.csv [--name NAME] [--json FILE]
//   node eval.mjs --febrl --matches M.csv --register A.csv --enrolment B.csv
//                 [--name NAME] [--json FILE]
//
// Demo data (`reach demo` truth.csv: register_id,person_id,status): a
// register row truly matches the enrolment row whose id is its person_id
// when that id is in the enrolment file; otherwise (person_id blank, or a
// learner who dropped out and so is not enrolled) the child is truly out of
// school.
//   pairs          precision, recall and F1 of matches.csv against those pairs
//   out of school  precision and recall of the out-of-school list:
//                  out_of_school.csv when given, otherwise every register row
//                  matches.csv leaves unmatched
//   per culture    the same recalls (and pair precision) for each id prefix
//                  (IR, VN, AZ: "IR-R000000001" is IR)
// FEBRL: rec-N-org in A truly matches rec-N-dup-0 in B; pairs only.
//
// Only the first columns of each file are read, with a small CSV reader
// (quotes allowed, fields trimmed: FEBRL puts a space after each comma).
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const usage = 'usage: node eval.mjs --matches M.csv [--out-of-school O.csv] --truth T.csv --enrolment E.csv ' +
	'[--name NAME] [--json FILE]\n       node eval.mjs --febrl --matches M.csv --register A.csv --enrolment B.csv';

function fail(msg) {
	process.stderr.write(`eval: ${msg}\n`);
	process.exit(1);
}

function parseArgs(argv) {
	const a = { name: 'linkage' };
	for (let i = 0; i < argv.length; i++) {
		const k = argv[i];
		if (k === '--febrl') { a.febrl = true; continue; }
		if (!k.startsWith('--') || argv[i + 1] === undefined) fail(usage);
		a[k.slice(2)] = argv[++i];
	}
	const need = a.febrl ? ['matches', 'register', 'enrolment'] : ['matches', 'truth', 'enrolment'];
	for (const k of need) if (!a[k]) fail(usage);
	return a;
}

// The first n fields of one CSV line.
function fields(line, n) {
	const out = [];
	let i = 0;
	while (out.length < n && i <= line.length) {
		let v = '';
		while (line[i] === ' ') i++;
		if (line[i] === '"') {
			for (i++; i < line.length; i++) {
				if (line[i] === '"' && line[i + 1] === '"') { v += '"'; i++; }
				else if (line[i] === '"') { i++; break; }
				else v += line[i];
			}
			const c = line.indexOf(',', i);
			i = c < 0 ? line.length + 1 : c + 1;
		} else {
			const c = line.indexOf(',', i);
			v = c < 0 ? line.slice(i) : line.slice(i, c);
			i = c < 0 ? line.length + 1 : c + 1;
		}
		out.push(v.trim());
	}
	return out;
}

// Calls row(fields) for each data row of file; the header is checked to
// start with the expected column names (or only skipped when none given).
async function eachRow(file, n, expect, row) {
	const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
	let header = true;
	for await (let line of lines) {
		if (header) {
			header = false;
			if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
			const h = fields(line, expect.length);
			if (expect.some((e, i) => h[i] !== e)) fail(`${file}: the header should start with ${expect.join(',')}`);
			continue;
		}
		if (line.trim() !== '') row(fields(line, n));
	}
}

const culture = (id) => {
	const m = /^([A-Za-z]+)-/.exec(id);
	return m ? m[1].toUpperCase() : 'other';
};
const ratio = (a, b) => (b === 0 ? null : a / b);
const f1 = (p, r) => (p === null || r === null || p + r === 0 ? null : (2 * p * r) / (p + r));

async function readMatches(file) {
	const m = new Map();
	let dup = 0;
	await eachRow(file, 2, ['register_id', 'enrolment_id'], ([reg, enr]) => {
		if (m.has(reg)) dup++;
		m.set(reg, enr);
	});
	if (dup) process.stderr.write(`eval: ${file}: ${dup} register rows matched more than once (not one-to-one)\n`);
	return m;
}

async function evalDemo(a) {
	const enrolled = new Set();
	await eachRow(a.enrolment, 1, ['id'], ([id]) => enrolled.add(id));
	const truth = new Map(); // register id → enrolment id, or '' when out of school
	await eachRow(a.truth, 2, ['register_id', 'person_id'], ([reg, person]) =>
		truth.set(reg, enrolled.has(person) ? person : ''));
	const matches = await readMatches(a.matches);
	let oos;
	if (a['out-of-school']) {
		oos = new Set();
		await eachRow(a['out-of-school'], 1, ['register_id'], ([reg]) => oos.add(reg));
	} else {
		oos = new Set([...truth.keys()].filter((r) => !matches.has(r)));
	}

	const per = new Map();
	const c = (id) => {
		const k = culture(id);
		if (!per.has(k)) per.set(k, { truePairs: 0, predicted: 0, tp: 0, trueOos: 0, predictedOos: 0, tpOos: 0 });
		return per.get(k);
	};
	for (const [reg, enr] of truth) {
		const s = c(reg);
		if (enr) s.truePairs++;
		else s.trueOos++;
		if (oos.has(reg)) {
			s.predictedOos++;
			if (!enr) s.tpOos++;
		}
	}
	for (const [reg, enr] of matches) {
		const s = c(reg);
		s.predicted++;
		if (truth.get(reg) === enr && enr) s.tp++;
	}
	const sum = (k) => [...per.values()].reduce((t, s) => t + s[k], 0);
	const res = {
		name: a.name,
		register_rows: truth.size, enrolment_rows: enrolled.size,
		pairs: summary(sum('truePairs'), sum('predicted'), sum('tp')),
		out_of_school: summary(sum('trueOos'), sum('predictedOos'), sum('tpOos')),
		cultures: {},
	};
	for (const [k, s] of [...per.entries()].sort())
		res.cultures[k] = { pairs: summary(s.truePairs, s.predicted, s.tp), out_of_school: summary(s.trueOos, s.predictedOos, s.tpOos) };
	return res;
}

function summary(truthCount, predicted, tp) {
	const precision = ratio(tp, predicted), recall = ratio(tp, truthCount);
	return { true: truthCount, predicted, tp, precision, recall, f1: f1(precision, recall) };
}

async function evalFebrl(a) {
	const org = new Set(), dup = new Set();
	await eachRow(a.register, 1, [], ([id]) => org.add(id));
	await eachRow(a.enrolment, 1, [], ([id]) => dup.add(id));
	const twin = (id) => {
		const m = /^rec-(\d+)-org$/.exec(id);
		return m ? `rec-${m[1]}-dup-0` : null;
	};
	let truthCount = 0;
	for (const id of org) if (dup.has(twin(id))) truthCount++;
	const matches = await readMatches(a.matches);
	let tp = 0;
	for (const [reg, enr] of matches) if (twin(reg) === enr && dup.has(enr)) tp++;
	return { name: a.name, register_rows: org.size, enrolment_rows: dup.size, pairs: summary(truthCount, matches.size, tp) };
}

const pct = (x) => (x === null ? '   n/a' : (100 * x).toFixed(2).padStart(6) + '%');

function print(r) {
	const p = r.pairs;
	console.log(`${r.name}: pairs: ${p.predicted} matched, ${p.true} true, ${p.tp} right: ` +
		`precision ${pct(p.precision)}, recall ${pct(p.recall)}, F1 ${pct(p.f1)}`);
	if (r.out_of_school) {
		const o = r.out_of_school;
		console.log(`${r.name}: out of school: ${o.predicted} listed, ${o.true} true, ${o.tp} right: ` +
			`precision ${pct(o.precision)}, recall ${pct(o.recall)}`);
		for (const [k, c] of Object.entries(r.cultures))
			console.log(`${r.name}:   ${k.padEnd(5)} pair precision ${pct(c.pairs.precision)}, recall ${pct(c.pairs.recall)}; ` +
				`out-of-school recall ${pct(c.out_of_school.recall)} (${c.pairs.true} pairs, ${c.out_of_school.true} out of school)`);
	}
}

const a = parseArgs(process.argv.slice(2));
const res = a.febrl ? await evalFebrl(a) : await evalDemo(a);
print(res);
if (a.json) writeFileSync(a.json, JSON.stringify(res) + '\n');
