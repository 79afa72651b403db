// Oracle: net/http.ProxyFromEnvironment, the proxy client-go uses for a
// cluster without proxy-url. Question {"env": {"NO_PROXY": "..."}, "url":
// "https://host:6443/"}; answer {"proxy": "http://p:3128"} (empty: no
// proxy) or {"error": "..."}. Go reads the environment once per process,
// so each question runs in a child process of this program.
// The GODEBUG defaults of the Go release kube-apiserver v1.36 builds with
// (go.work: godebug default=go1.26), not GOPATH mode's go1.20 ones.
//go:debug default=go1.26
package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
)

func child(url string) {
	out := json.NewEncoder(os.Stdout)
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		out.Encode(map[string]string{"bad": err.Error()})
		return
	}
	proxy, err := http.ProxyFromEnvironment(req)
	switch {
	case err != nil:
		out.Encode(map[string]string{"error": err.Error()})
	case proxy == nil:
		out.Encode(map[string]string{"proxy": ""})
	default:
		out.Encode(map[string]string{"proxy": proxy.String()})
	}
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "-child" {
		child(os.Args[2])
		return
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	for in.Scan() {
		var q struct {
			Env map[string]string
			URL string
		}
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			json.NewEncoder(os.Stdout).Encode(map[string]string{"bad": err.Error()})
			continue
		}
		cmd := exec.Command(os.Args[0], "-child", q.URL)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
		for k, v := range q.Env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		answer, err := cmd.Output()
		if err != nil {
			json.NewEncoder(os.Stdout).Encode(map[string]string{"bad": err.Error()})
			continue
		}
		os.Stdout.Write(answer)
	}
}
