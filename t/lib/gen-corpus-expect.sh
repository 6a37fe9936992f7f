#!/bin/sh
# gen-corpus-expect.sh: regenerate t/expect/corpus/*.tshark (tshark's view of each corpus capture's requests).
#
#   t/lib/gen-corpus-expect.sh [CORPUS_DIR]      (default ../shared/corpus)
#
# One file per capture of t/expect/corpus/list, named after its path (slashes to '_', no
# .pcap), in t/lib/reqlist.py's canonical form. The hand-corrected expectations
# (t/expect/corpus/*.req, where tshark is wrong or cannot see) are not touched.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
corpus=${1:-$here/../shared/corpus}
while read -r path port; do
	name=$(echo "${path%.pcap}" | tr / _)
	/usr/bin/python3 "$here/t/lib/reqlist.py" tshark -p "$port" "$corpus/pcaps/$path" >"$here/t/expect/corpus/$name.tshark"
done <"$here/t/expect/corpus/list"
