// Oracle: time.ParseDuration. Question {"s": "..."}; answer {"ns": N} or {"error": "..."}.
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
