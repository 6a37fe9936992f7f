// client-workload.js - a bounded memjs workload (binary protocol, three connections) for the stats oracle.
//
//   node client-workload.js PORT [preset]     (memjs found through NODE_PATH)
//
// Deterministic (fixed seed): three memjs clients, one connection each, take turns at random
// one request at a time, so the recording's order across connections is its send order; on
// one connection memjs pipelines a burst of gets (its requests carry opaque sequence
// numbers). set (some with a TTL), get hits and misses, add and replace on present and absent
// keys, append and prepend, delete hits and misses, touch hits and misses, increment and
// decrement with memjs's initial value (which creates a missing item; memcached counts such
// a creation in no counter, so `preset` stores the counters first, for the parse oracle).
// Prints the number of requests sent.
'use strict';
const memjs = require('memjs');

const port = parseInt(process.argv[2], 10);
const preset = process.argv[3] === 'preset';
let seed = 1515;
function rnd(n) { // a small LCG: the same workload every run
	seed = (seed * 1103515245 + 12345) % 2147483648;
	return Math.floor(seed / 65536) % n;
}
const quiet = { log: () => {} };
const clients = [0, 1, 2].map(() =>
	memjs.Client.create('127.0.0.1:' + port, { retries: 0, timeout: 2, logger: quiet }));
const pick = () => clients[rnd(clients.length)];
const key = (p, i) => 'mj' + p + ':' + i;
let sent = 0;

async function may(f) { // memjs rejects on not found / exists / not stored: those are outcomes here
	sent++;
	try {
		await f();
	} catch (e) {
		if (!/MemJS/.test(String(e && e.message)))
			throw e;
	}
}

async function main() {
	for (let i = 0; i < 150; i++)
		await may(() => pick().set(key('s', i), 'v'.repeat(1 + rnd(2000)), { expires: [0, 0, 3600][rnd(3)] }));
	for (let i = 0; i < 150; i++)
		await may(() => pick().get(key('s', rnd(220))));
	for (let b = 0; b < 6; b++) { // a pipelined burst on one connection
		const c = pick(), ks = [];
		for (let i = 0; i < 20; i++)
			ks.push(key('s', rnd(220)));
		sent += ks.length;
		await Promise.all(ks.map((k) => c.get(k)));
	}
	for (let i = 0; i < 40; i++)
		await may(() => pick().add(key('s', rnd(220)), 'a'));
	for (let i = 0; i < 40; i++)
		await may(() => pick().replace(key('s', rnd(220)), 'r'));
	for (let i = 0; i < 30; i++)
		await may(() => pick()[rnd(2) ? 'append' : 'prepend'](key('s', rnd(220)), 'x'));
	for (let i = 0; preset && i < 25; i++)
		await may(() => pick().set(key('n', i), '100'));
	for (let i = 0; i < 60; i++)
		await may(() => pick()[rnd(3) ? 'increment' : 'decrement'](key('n', rnd(25)), 1 + rnd(5), { initial: 10 }));
	for (let i = 0; i < 40; i++)
		await may(() => pick().touch(key('s', rnd(220)), 3600));
	for (let i = 0; i < 50; i++)
		await may(() => pick().delete(key('s', rnd(220))));
	for (let i = 0; i < 100; i++)
		await may(() => pick().get(key(rnd(4) ? 's' : 'n', rnd(220))));
	clients.forEach((c) => c.close());
	console.log(sent);
}

main().catch((e) => {
	console.error('client-workload.js: ' + e);
	process.exit(1);
});
