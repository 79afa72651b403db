// Oracle: text/template as kubectl's go-template printer runs it
// (cli-runtime printers/template.go): the template is named "output", has
// kubectl's "exists" and "base64decode" functions, and runs with
// missingkey=default or missingkey=error over the JSON data decoded as
// kubectl decodes it (sigs.k8s.io/json with integers kept: a number that
// strconv.ParseInt reads is an int64, any other a float64; arrays grown by
// append from empty, so their capacity is the decoder's).
// Question {"template": "...", "data": <json>, "missingkey": "default"|"error"},
// where data may also be a JSON string holding the document's text, so that
// numbers reach the decoder written exactly as kubectl's encoder wrote them;
// answer {"output": "..."} or {"output_base64": "..."} (output that is not
// UTF-8), with "error": "..." when parsing or execution failed.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"text/template"
	"unicode/utf8"
)

// exists and base64decode as cli-runtime defines them.
func exists(item interface{}, indices ...interface{}) bool {
	v := reflect.ValueOf(item)
	for _, i := range indices {
		index := reflect.ValueOf(i)
		var isNil bool
		if v, isNil = indirect(v); isNil {
			return false
		}
		switch v.Kind() {
		case reflect.Array, reflect.Slice, reflect.String:
			var x int64
			switch index.Kind() {
			case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
				x = index.Int()
			case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
				x = int64(index.Uint())
			default:
				return false
			}
			if x < 0 || x >= int64(v.Len()) {
				return false
			}
			v = v.Index(int(x))
		case reflect.Map:
			if !index.IsValid() {
				index = reflect.Zero(v.Type().Key())
			}
			if !index.Type().AssignableTo(v.Type().Key()) {
				return false
			}
			if x := v.MapIndex(index); x.IsValid() {
				v = x
			} else {
				v = reflect.Zero(v.Type().Elem())
			}
		default:
			return false
		}
	}
	if _, isNil := indirect(v); isNil {
		return false
	}
	return true
}

func indirect(v reflect.Value) (rv reflect.Value, isNil bool) {
	for ; v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface; v = v.Elem() {
		if v.IsNil() {
			return v, true
		}
		if v.Kind() == reflect.Interface && v.NumMethod() > 0 {
			break
		}
	}
	return v, false
}

func base64decode(v string) (string, error) {
	data, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "", fmt.Errorf("base64 decode failed: %v", err)
	}
	return string(data), nil
}

// decode reads one JSON value the way sigs.k8s.io/json's
// UnmarshalCaseSensitivePreserveInts builds it.
func decode(d *json.Decoder) (interface{}, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := map[string]interface{}{}
			for d.More() {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				v, err := decode(d)
				if err != nil {
					return nil, err
				}
				m[k.(string)] = v
			}
			_, err := d.Token()
			return m, err
		case '[':
			l := make([]interface{}, 0)
			for d.More() {
				v, err := decode(d)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := d.Token()
			return l, err
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			return i, nil
		}
		return strconv.ParseFloat(string(t), 64)
	}
	return tok, nil
}

func answer(q map[string]json.RawMessage) map[string]string {
	var text, missing string
	if err := json.Unmarshal(q["template"], &text); err != nil {
		return map[string]string{"bad": err.Error()}
	}
	json.Unmarshal(q["missingkey"], &missing)
	raw := []byte(q["data"])
	var docText string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &docText) == nil {
		raw = []byte(docText)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	data, err := decode(d)
	if err != nil {
		return map[string]string{"bad": err.Error()}
	}
	out := map[string]string{}
	t, err := template.New("output").Funcs(template.FuncMap{
		"exists":       exists,
		"base64decode": base64decode,
	}).Parse(text)
	var buf bytes.Buffer
	if err == nil {
		t.Option("missingkey=" + missing)
		err = t.Execute(&buf, data)
	}
	if err != nil {
		out["error"] = err.Error()
	}
	if utf8.Valid(buf.Bytes()) {
		out["output"] = buf.String()
	} else {
		out["output_base64"] = base64.StdEncoding.EncodeToString(buf.Bytes())
	}
	return out
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		var q map[string]json.RawMessage
		if err := json.Unmarshal(in.Bytes(), &q); err != nil {
			out.Encode(map[string]string{"bad": err.Error()})
			continue
		}
		out.Encode(answer(q))
	}
}
