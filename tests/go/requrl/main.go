// Oracle: how Go's net/http server reads a request line, as kube-apiserver
// receives it. Question {"method": "...", "target": "..."}; answer
// {"path", "fieldSelector", "labelSelector", "watch"} from req.URL (Path and
// Query(), as requestinfo.go reads them), or {"error": "..."} when
// http.ReadRequest refuses the request (the server answers 400 before any
// authentication).
// The GODEBUG defaults of the Go release kube-apiserver v1.36 builds with
// (go.work: godebug default=go1.26), not GOPATH mode's go1.20 ones.
//go:debug default=go1.26
package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"strings"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var q struct{ Method, Target string }
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			out.Encode(map[string]string{"error": "bad question: " + err.Error()})
			continue
		}
		raw := q.Method + " " + q.Target + " HTTP/1.1\r\nHost: example\r\n\r\n"
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			out.Encode(map[string]string{"error": err.Error()})
			continue
		}
		query := req.URL.Query()
		out.Encode(map[string]string{
			"path":          req.URL.Path,
			"fieldSelector": query.Get("fieldSelector"),
			"labelSelector": query.Get("labelSelector"),
			"watch":         query.Get("watch"),
		})
	}
}
