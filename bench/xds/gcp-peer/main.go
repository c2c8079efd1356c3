// gcp-peer: the reference xDS server for `npm run bench:xds`. It serves, through go-control-plane's
// SnapshotCache in ADS mode, over its SotW and its Delta ADS server (one server implements both),
// exactly the resources the TypeScript bench generated (the same encoded
// bytes, read from a JSON file), so both servers stream the same configuration to the same load.
//
// Protocol on stdin/stdout (one line each):
//
//	stdin  "set <i>"   → every bench node gets snapshot i of the data file; stdout "ok set <i> <ns>"
//	stdin  "setone <i> <node>" → only that node gets snapshot i; stdout "ok setone <i> <ns>"
//	       (ns: when the command arrived, CLOCK_MONOTONIC nanoseconds)
//	stdin  "stats"     → stdout {"rss":…, "heapAlloc":…, "cpuUser":…, "cpuSys":…} (bytes, seconds)
//	stdout "ready <port>" once serving on 127.0.0.1.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"hash"
	"log"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	cachev3 "github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	resourcev3 "github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	serverv3 "github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"golang.org/x/sys/unix"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

type dataResource struct {
	TypeURL string `json:"typeUrl"`
	Name    string `json:"name"`
	Body    string `json:"body"`
}

type dataFile struct {
	Snapshots [][]dataResource `json:"snapshots"`
}

func decode(r dataResource) (types.Resource, error) {
	raw, err := base64.StdEncoding.DecodeString(r.Body)
	if err != nil {
		return nil, err
	}
	var m proto.Message
	switch r.TypeURL {
	case resourcev3.ClusterType:
		m = &clusterv3.Cluster{}
	case resourcev3.EndpointType:
		m = &endpointv3.ClusterLoadAssignment{}
	case resourcev3.ListenerType:
		m = &listenerv3.Listener{}
	case resourcev3.RouteType:
		m = &routev3.RouteConfiguration{}
	default:
		return nil, fmt.Errorf("type %s not served by the peer", r.TypeURL)
	}
	if err := proto.Unmarshal(raw, m); err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.TypeURL, r.Name, err)
	}
	return m, nil
}

func main() {
	dataPath := flag.String("data", "", "JSON file with the snapshots")
	nodes := flag.Int("nodes", 1000, "node ids bench-0 … bench-(n-1) get the snapshot")
	flag.Parse()
	raw, err := os.ReadFile(*dataPath)
	if err != nil {
		log.Fatal(err)
	}
	var data dataFile
	if err := json.Unmarshal(raw, &data); err != nil {
		log.Fatal(err)
	}
	snapshots := make([]*cachev3.Snapshot, len(data.Snapshots))
	typeVersions := make([]map[string]string, len(data.Snapshots))
	for i, resources := range data.Snapshots {
		byType := map[resourcev3.Type][]types.Resource{}
		hashes := map[string]hash.Hash{}
		for _, r := range resources {
			h, ok := hashes[r.TypeURL]
			if !ok {
				h = sha256.New()
				hashes[r.TypeURL] = h
			}
			h.Write([]byte(r.Name + ":" + r.Body + "\n"))
			m, err := decode(r)
			if err != nil {
				log.Fatal(err)
			}
			byType[r.TypeURL] = append(byType[r.TypeURL], m)
		}
		typeVersions[i] = map[string]string{}
		for typeURL, h := range hashes {
			typeVersions[i][typeURL] = hex.EncodeToString(h.Sum(nil))[:16]
		}
		snap, err := cachev3.NewSnapshot(strconv.Itoa(i+1), byType)
		if err != nil {
			log.Fatal(err)
		}
		// Per-type content versions (as sluice's server keeps them), so an unchanged type is not
		// resent: go-control-plane answers a watch only when the type's version differs.
		for typeURL, items := range byType {
			snap.Resources[cachev3.GetResponseType(typeURL)] = cachev3.NewResources(typeVersions[i][typeURL], items)
		}
		snapshots[i] = snap
	}

	ctx := context.Background()
	cache := cachev3.NewSnapshotCache(true, cachev3.IDHash{}, nil)
	set := func(i int) {
		for n := 0; n < *nodes; n++ {
			if err := cache.SetSnapshot(ctx, "bench-"+strconv.Itoa(n), snapshots[i]); err != nil {
				log.Fatal(err)
			}
		}
	}
	set(0)
	srv := serverv3.NewServer(ctx, cache, nil)
	grpcServer := grpc.NewServer(grpc.MaxConcurrentStreams(1 << 20))
	discoveryv3.RegisterAggregatedDiscoveryServiceServer(grpcServer, srv)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go func() { _ = grpcServer.Serve(lis) }()
	fmt.Printf("ready %d\n", lis.Addr().(*net.TCPAddr).Port)

	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		// When the command arrived (CLOCK_MONOTONIC ns, the clock the bench and the fleet read): the
		// bench measures a change from here, not from its write into the pipe.
		recv := monoNs()
		fields := strings.Fields(in.Text())
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "set":
			i, err := strconv.Atoi(fields[1])
			if err != nil || i < 0 || i >= len(snapshots) {
				log.Fatalf("bad snapshot index %q", fields[1])
			}
			set(i)
			fmt.Printf("ok set %d %d\n", i, recv)
		case "setone":
			i, err := strconv.Atoi(fields[1])
			if err != nil || i < 0 || i >= len(snapshots) || len(fields) < 3 {
				log.Fatalf("bad setone %q", in.Text())
			}
			if err := cache.SetSnapshot(ctx, fields[2], snapshots[i]); err != nil {
				log.Fatal(err)
			}
			fmt.Printf("ok setone %d %d\n", i, recv)
		case "stats":
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			var ru syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
			out, _ := json.Marshal(map[string]float64{
				"rss":       float64(ru.Maxrss) * 1024,
				"heapAlloc": float64(ms.HeapAlloc),
				"cpuUser":   float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6,
				"cpuSys":    float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6,
			})
			fmt.Println(string(out))
		case "quit":
			grpcServer.Stop()
			return
		}
	}
	grpcServer.Stop()
}

func monoNs() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return ts.Nano()
}
