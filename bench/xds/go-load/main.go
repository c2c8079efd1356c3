// go-load: the bench's client fleet for `npm run bench:xds`, in Go (grpc-go), so that the fleet
// is cheap next to the servers it measures: N ADS streams (SotW or Delta), one TCP connection
// each, that behave like Envoy (CDS and LDS wildcard, EDS and RDS by name, every response ACKed).
// Messages are encoded and decoded by hand (only version, type_url and nonce are read). It runs on
// GOMAXPROCS=1 unless told otherwise: one core for the fleet, the other for the server.
//
// Protocol: one JSON object a line. stdin {"cmd":"start","port":P,"streams":N,"api":"sotw"|"delta",
// "eds":[…],"rds":[…]} → stdout {"evt":"connected",…} once every stream ACKed all four types;
// {"cmd":"mark","expect":[…]|null} → {"evt":"marked"}; then {"evt":"converged","ackNs":[…],"bytes":B,
// "responses":R} once each expected stream ACKed an LDS response it received after the mark and a
// settle time passed (ackNs: CLOCK_MONOTONIC nanoseconds, the clock Node's process.hrtime reads);
// {"evt":"error","message":…}; {"cmd":"stop"} ends the process.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
)

const (
	typeCDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
	typeEDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
	typeLDS = "type.googleapis.com/envoy.config.listener.v3.Listener"
	typeRDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
	settle  = 500 * time.Millisecond
)

// raw passes messages through as bytes: requests are encoded by hand; a response is read by hand
// (readResponse) into a response, through a pooled scratch buffer, so that the fleet makes no
// garbage per response (the bytes of every response, 242 MB for one change at 10,000 SotW streams,
// would otherwise be the fleet's GC work).
type raw struct{}

type response struct {
	version, typeURL, nonce string
	size                    int
}

var scratch = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func (raw) Name() string { return "proto" }
func (raw) Marshal(v any) (mem.BufferSlice, error) {
	return mem.BufferSlice{mem.SliceBuffer(*(v.(*[]byte)))}, nil
}
func (raw) Unmarshal(data mem.BufferSlice, v any) error {
	r := v.(*response)
	bp := scratch.Get().(*[]byte)
	defer scratch.Put(bp)
	n := data.Len()
	if cap(*bp) < n {
		*bp = make([]byte, n)
	}
	buf := (*bp)[:n]
	data.CopyTo(buf)
	r.size = n
	var err error
	r.version, r.typeURL, r.nonce, err = readResponse(buf)
	return err
}

func appendVarint(b []byte, n uint64) []byte {
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(b, byte(n))
}
func appendField(b []byte, num int, data []byte) []byte {
	b = appendVarint(b, uint64(num<<3|2))
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}
func nodeMsg(id string) []byte { return appendField(appendField(nil, 1, []byte(id)), 4, nil) }

// sotwRequest: version_info (1), node (2), resource_names (3), type_url (4), response_nonce (5).
func sotwRequest(node, typeURL string, names []string, version, nonce string) []byte {
	b := appendField(nil, 1, []byte(version))
	if node != "" {
		b = appendField(b, 2, nodeMsg(node))
	}
	for _, n := range names {
		b = appendField(b, 3, []byte(n))
	}
	b = appendField(b, 4, []byte(typeURL))
	return appendField(b, 5, []byte(nonce))
}

// deltaRequest: node (1), type_url (2), resource_names_subscribe (3), response_nonce (6).
func deltaRequest(node, typeURL string, subscribe []string, nonce string) []byte {
	var b []byte
	if node != "" {
		b = appendField(b, 1, nodeMsg(node))
	}
	b = appendField(b, 2, []byte(typeURL))
	for _, n := range subscribe {
		b = appendField(b, 3, []byte(n))
	}
	if nonce != "" {
		b = appendField(b, 6, []byte(nonce))
	}
	return b
}

// readResponse: fields 1 (version), 4 (type_url), 5 (nonce) of a SotW or Delta response; skips the rest.
func readResponse(buf []byte) (version, typeURL, nonce string, err error) {
	pos := 0
	varint := func() uint64 {
		var v uint64
		var shift uint
		for pos < len(buf) {
			c := buf[pos]
			pos++
			v |= uint64(c&0x7f) << shift
			if c < 0x80 {
				break
			}
			shift += 7
		}
		return v
	}
	for pos < len(buf) {
		tag := varint()
		if tag&7 != 2 {
			return "", "", "", fmt.Errorf("unexpected wire type %d", tag&7)
		}
		n := int(varint())
		if pos+n > len(buf) {
			return "", "", "", fmt.Errorf("truncated field")
		}
		s := buf[pos : pos+n]
		pos += n
		switch tag >> 3 {
		case 1:
			version = string(s)
		case 4:
			typeURL = string(s)
		case 5:
			nonce = string(s)
		}
	}
	return
}

func monoNs() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}

type stream struct {
	acked    uint32 // bit per type
	expected atomic.Bool
	doneNs   atomic.Int64
}

type fleet struct {
	out       *json.Encoder
	outMu     sync.Mutex
	api       string
	eds, rds  []string
	streams   []*stream
	bytes     atomic.Int64
	responses atomic.Int64
	// Streams that ACKed all four types; expected streams still to converge after the mark.
	ready      atomic.Int64
	waiting    atomic.Int64
	marked     atomic.Bool
	settling   atomic.Bool
	converged  atomic.Bool
	conns      []*grpc.ClientConn
	connsMu    sync.Mutex
	cancel     context.CancelFunc
	errorsSent atomic.Int64
	profile    *os.File // XDS_BENCH_FLEET_PROF: the current change's CPU profile
}

func (f *fleet) emit(v any) {
	f.outMu.Lock()
	defer f.outMu.Unlock()
	_ = f.out.Encode(v)
}

func (f *fleet) fail(i int, err error) {
	if f.converged.Load() || f.errorsSent.Add(1) > 5 {
		return
	}
	f.emit(map[string]any{"evt": "error", "message": fmt.Sprintf("stream %d: %v", i, err)})
}

func (f *fleet) namesOf(typeURL string) []string {
	switch typeURL {
	case typeEDS:
		return f.eds
	case typeRDS:
		return f.rds
	}
	return nil
}

func bit(typeURL string) uint32 {
	switch typeURL {
	case typeCDS:
		return 1
	case typeEDS:
		return 2
	case typeLDS:
		return 4
	case typeRDS:
		return 8
	}
	return 0
}

func (f *fleet) run(ctx context.Context, port, i int) {
	s := f.streams[i]
	conn, err := grpc.NewClient("passthrough:///127.0.0.1:"+strconv.Itoa(port),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithReadBufferSize(16*1024), grpc.WithWriteBufferSize(4*1024),
		// Wait for the connection instead of failing the stream when a connect attempt is refused or
		// reset (10,000 connecting at once can overflow a server's accept queue): Envoy retries too.
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(raw{}), grpc.MaxCallRecvMsgSize(64<<20), grpc.WaitForReady(true)))
	if err != nil {
		f.fail(i, err)
		return
	}
	f.connsMu.Lock()
	f.conns = append(f.conns, conn)
	f.connsMu.Unlock()
	method := "/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources"
	if f.api == "delta" {
		method = "/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources"
	}
	cs, err := conn.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		f.fail(i, err)
		return
	}
	node := "bench-" + strconv.Itoa(i)
	first := func(typeURL string, names []string, withNode bool) []byte {
		n := ""
		if withNode {
			n = node
		}
		if f.api == "delta" {
			return deltaRequest(n, typeURL, names, "")
		}
		return sotwRequest(n, typeURL, names, "", "")
	}
	for _, r := range [][]byte{first(typeCDS, nil, true), first(typeEDS, f.eds, false), first(typeLDS, nil, false), first(typeRDS, f.rds, false)} {
		msg := r
		if err := cs.SendMsg(&msg); err != nil {
			f.fail(i, err)
			return
		}
	}
	for {
		var r response
		if err := cs.RecvMsg(&r); err != nil {
			if ctx.Err() == nil {
				f.fail(i, err)
			}
			return
		}
		f.bytes.Add(int64(r.size))
		f.responses.Add(1)
		version, typeURL, nonce := r.version, r.typeURL, r.nonce
		var ack []byte
		if f.api == "delta" {
			ack = deltaRequest("", typeURL, nil, nonce)
		} else {
			ack = sotwRequest("", typeURL, f.namesOf(typeURL), version, nonce)
		}
		if err := cs.SendMsg(&ack); err != nil {
			f.fail(i, err)
			return
		}
		if s.acked != 15 {
			s.acked |= bit(typeURL)
			if s.acked == 15 && f.ready.Add(1) == int64(len(f.streams)) {
				f.emit(map[string]any{"evt": "connected", "bytes": f.bytes.Load(), "responses": f.responses.Load()})
			}
		}
		// The change is a Listener's: the stream has it once it ACKed an LDS response sent after the mark.
		if typeURL == typeLDS && f.marked.Load() && s.expected.Load() && s.doneNs.CompareAndSwap(0, monoNs()) {
			if f.waiting.Add(-1) == 0 {
				f.settle()
			}
		}
	}
}

func (f *fleet) settle() {
	if !f.settling.CompareAndSwap(false, true) {
		return
	}
	time.AfterFunc(settle, func() {
		f.converged.Store(true)
		if f.profile != nil {
			pprof.StopCPUProfile()
			_ = f.profile.Close()
			f.profile = nil
		}
		ack := []string{}
		for _, s := range f.streams {
			if s.expected.Load() {
				ack = append(ack, strconv.FormatInt(s.doneNs.Load(), 10))
			}
		}
		f.emit(map[string]any{"evt": "converged", "ackNs": ack, "bytes": f.bytes.Load(), "responses": f.responses.Load()})
	})
}

type command struct {
	Cmd     string   `json:"cmd"`
	Port    int      `json:"port"`
	Streams int      `json:"streams"`
	API     string   `json:"api"`
	EDS     []string `json:"eds"`
	RDS     []string `json:"rds"`
	Expect  []int    `json:"expect"`
}

func main() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	f := &fleet{out: json.NewEncoder(os.Stdout)}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	for in.Scan() {
		var c command
		if err := json.Unmarshal(in.Bytes(), &c); err != nil {
			f.emit(map[string]any{"evt": "error", "message": "bad command: " + err.Error()})
			continue
		}
		switch c.Cmd {
		case "start":
			f.api, f.eds, f.rds = c.API, c.EDS, c.RDS
			f.streams = make([]*stream, c.Streams)
			for i := range f.streams {
				f.streams[i] = &stream{}
			}
			ctx, cancel := context.WithCancel(context.Background())
			f.cancel = cancel
			for i := range f.streams {
				go f.run(ctx, c.Port, i)
			}
		case "mark":
			only := map[int]bool{}
			for _, i := range c.Expect {
				only[i] = true
			}
			f.marked.Store(false)
			n := 0
			for i, s := range f.streams {
				e := c.Expect == nil || only[i]
				s.expected.Store(e)
				s.doneNs.Store(0)
				if e {
					n++
				}
			}
			f.waiting.Store(int64(n))
			f.bytes.Store(0)
			f.responses.Store(0)
			f.settling.Store(false)
			f.converged.Store(false)
			// XDS_BENCH_FLEET_PROF=DIR: a CPU profile of the fleet from the mark to convergence.
			if dir := os.Getenv("XDS_BENCH_FLEET_PROF"); dir != "" && os.MkdirAll(dir, 0o755) == nil {
				if out, err := os.Create(fmt.Sprintf("%s/fleet-%s-%d-%d.pprof", dir, f.api, len(f.streams), time.Now().UnixNano())); err == nil && pprof.StartCPUProfile(out) == nil {
					f.profile = out
				}
			}
			f.marked.Store(true)
			f.emit(map[string]any{"evt": "marked"})
		case "stop":
			if f.cancel != nil {
				f.cancel()
			}
			f.connsMu.Lock()
			for _, c := range f.conns {
				_ = c.Close()
			}
			f.connsMu.Unlock()
			os.Exit(0)
		}
	}
}
