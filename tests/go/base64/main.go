// Oracle: base64.StdEncoding.DecodeString, as encoding/json decodes a []byte.
// Question {"s": "..."}; answer {"hex": "..."} or {"offset": N}.
// The GODEBUG defaults of the Go release kube-apiserver v1.36 builds with
// (go.work: godebug default=go1.26), not GOPATH mode's go1.20 ones.
//go:debug default=go1.26
package main

import (
	"bufio"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
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
		b, err := base64.StdEncoding.DecodeString(q.S)
		if e, ok := err.(base64.CorruptInputError); ok {
			out.Encode(map[string]int64{"offset": int64(e)})
		} else {
			out.Encode(map[string]string{"hex": hex.EncodeToString(b)})
		}
	}
}
