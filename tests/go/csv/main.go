// Oracle: encoding/csv as kube-apiserver's --token-auth-file reader uses it
// (FieldsPerRecord = -1, records read until the first error).
// Question {"s": "..."}; answer {"records": [[line, field...]...]} or
// {"error": "..."}.
// The GODEBUG defaults of the Go release kube-apiserver v1.36 builds with
// (go.work: godebug default=go1.26), not GOPATH mode's go1.20 ones.
//go:debug default=go1.26
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"strconv"
	"strings"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var q struct{ S string }
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			out.Encode(map[string]string{"bad": err.Error()})
			continue
		}
		reader := csv.NewReader(strings.NewReader(q.S))
		reader.FieldsPerRecord = -1
		records := [][]string{}
		var failure error
		for {
			record, err := reader.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				failure = err
				break
			}
			line, _ := reader.FieldPos(0)
			records = append(records, append([]string{strconv.Itoa(line)}, record...))
		}
		if failure != nil {
			out.Encode(map[string]string{"error": failure.Error()})
		} else {
			out.Encode(map[string][][]string{"records": records})
		}
	}
}
