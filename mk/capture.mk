# mk/capture.mk - mb-capture links libpcap (only it: later stages read files without libpcap).
LDLIBS_mb-capture += -lpcap
