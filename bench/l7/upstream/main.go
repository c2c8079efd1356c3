// The upstream of the L7 and redirect benchmarks: a small, fast HTTP server that speaks HTTP/1.1
// and cleartext HTTP/2 (prior knowledge, as Envoy's upstream and h2load use it) on every address
// it is given, and answers gRPC unary calls (content-type application/grpc) with one empty
// message and grpc-status 0 in the trailers. It is a benchmark peer only, never the product: it
// keeps the workload's share of each request small and steady, so what Envoy adds shows.
//
//	upstream --listen HOST:PORT [--listen HOST:PORT ...]
//
// It prints one JSON line per listening address and nothing per request.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
)

type listens []string

func (l *listens) String() string     { return strings.Join(*l, ",") }
func (l *listens) Set(v string) error { *l = append(*l, v); return nil }

// One gRPC message frame: not compressed, length 0 (an empty protobuf message).
var grpcFrame = []byte{0, 0, 0, 0, 0}
var httpBody = []byte("ok\n")

func handle(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	if strings.HasPrefix(r.Header.Get("content-type"), "application/grpc") {
		w.Header().Set("content-type", "application/grpc")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(grpcFrame)
		w.Header().Set(http.TrailerPrefix+"grpc-status", "0")
		return
	}
	w.Header().Set("content-type", "text/plain")
	_, _ = w.Write(httpBody)
}

func main() {
	var addrs listens
	flag.Var(&addrs, "listen", "HOST:PORT to serve on (repeatable)")
	flag.Parse()
	if len(addrs) == 0 {
		fmt.Fprintln(os.Stderr, "upstream: --listen HOST:PORT is required")
		os.Exit(2)
	}
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	out := json.NewEncoder(os.Stdout)
	done := make(chan error)
	for _, addr := range addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			_ = out.Encode(map[string]string{"event": "error", "message": err.Error()})
			os.Exit(1)
		}
		server := &http.Server{Handler: http.HandlerFunc(handle), Protocols: protocols}
		go func() { done <- server.Serve(ln) }()
		_ = out.Encode(map[string]string{"event": "listening", "address": ln.Addr().String()})
	}
	err := <-done
	_ = out.Encode(map[string]string{"event": "error", "message": err.Error()})
	os.Exit(1)
}
