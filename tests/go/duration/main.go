// Oracle: time.ParseDuration. Question {"s": "..."}; answer {"ns": N} or {"error": "..."}.
// The GODEBUG defaults of the Go release kube-apiserver v1.36 builds with
// (go.work: godebug default=go1.26), not GOPATH mode's go1.20 ones.
//go:debug default=go1.26
package main

import (
	"bufio"
	"encoding/json"
	"os"
	"time"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var q struct{ S string }
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			out.Encode(map[string]string{"error": "bad question: " + err.Error()})
			continue
		}
		d, err := time.ParseDuration(q.S)
		if err != nil {
			out.Encode(map[string]string{"error": err.Error()})
		} else {
			out.Encode(map[string]int64{"ns": int64(d)})
		}
	}
}
