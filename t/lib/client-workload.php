<?php
// client-workload.php - a bounded php-memcached (libmemcached) workload, three connections, for the stats oracle.
//
//   php client-workload.php PORT [binary]
//
// Deterministic (mt_srand), a few hundred key operations over three Memcached objects (each
// its own connection): set, get hits and misses, getMulti of up to 150 keys, add/replace/
// append/prepend on present and absent keys, get with CAS + cas (stored, exists), increment/
// decrement of present numeric keys (binary increments of absent keys create them, which
// memcached counts nowhere: left out), delete hits and misses, touch hits and misses.
// Prints the number of requests sent.
$port = (int)$argv[1];
$binary = isset($argv[2]) && $argv[2] === "binary";
mt_srand(1515);
$sent = 0;
$cs = [];
for ($n = 0; $n < 3; $n++) {
	$m = new Memcached();
	$m->setOption(Memcached::OPT_BINARY_PROTOCOL, $binary);
	$m->setOption(Memcached::OPT_TCP_NODELAY, true);
	$m->setOption(Memcached::OPT_COMPRESSION, false);
	$m->addServer("127.0.0.1", $port);
	$cs[] = $m;
}
function c() { global $cs; return $cs[mt_rand(0, 2)]; }
function k($p, $i) { global $binary; return $p . ($binary ? "b" : "t") . ":" . $i; }

for ($i = 0; $i < 200; $i++) { c()->set(k("php", $i), str_repeat("v", mt_rand(1, 3000)), mt_rand(0, 1) ? 0 : 3600); $sent++; }
for ($i = 0; $i < 200; $i++) { c()->get(k("php", mt_rand(0, 299))); $sent++; }
foreach ([3, 20, 64, 65, 150] as $n) {
	for ($r = 0; $r < 4; $r++) {
		$keys = [];
		for ($j = 0; $j < $n; $j++) $keys[] = k("php", mt_rand(0, 299));
		c()->getMulti(array_values(array_unique($keys)));
		$sent++;
	}
}
for ($i = 0; $i < 30; $i++) {
	c()->add(k("php", $i % 2 ? $i : 1000 + $i), "a");
	c()->replace(k("php", $i % 3 ? $i : 2000 + $i), "r");
	c()->append(k("php", $i % 4 ? $i : 3000 + $i), "+");
	c()->prepend(k("php", $i % 5 ? $i : 4000 + $i), "-");
	$sent += 4;
}
for ($i = 40; $i < 70; $i++) {
	$m = c();
	$r = $m->get(k("php", $i), null, Memcached::GET_EXTENDED);
	$sent++;
	if ($r !== false) {
		$m->cas($r["cas"], k("php", $i), "c1");
		$m->cas($r["cas"], k("php", $i), "c2");
		$sent += 2;
	}
}
for ($i = 0; $i < 30; $i++) { c()->set(k("num", $i), "100"); $sent++; }
for ($r = 0; $r < 60; $r++) {
	$i = mt_rand(0, 29);
	if (mt_rand(0, 1)) c()->increment(k("num", $i), mt_rand(1, 9)); else c()->decrement(k("num", $i), mt_rand(1, 9));
	$sent++;
}
for ($i = 100; $i < 150; $i++) { c()->delete(k("php", $i % 3 ? $i : 5000 + $i)); $sent++; }
for ($i = 150; $i < 190; $i++) { c()->touch(k("php", $i % 2 ? $i : 6000 + $i), 600); $sent++; }
foreach ($cs as $m) $m->quit();
echo $sent, "\n";
