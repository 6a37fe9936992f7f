#!/bin/sh
# t2121: meta protocol (metaget) and a mid-stream join: every event equals hand-checked expectations
test_description='meta protocol (metaget) and a mid-stream join: every event equals hand-checked expectations'
. "$(dirname "$0")/test-lib.sh"

# Every event of each capture, as hand-checked in t/expect/events/NAME.ev (see test_corpus_events).
test_corpus_events memcached-t_metaget percona_memc_tcpdump003

test_done
