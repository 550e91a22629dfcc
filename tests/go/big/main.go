// A large Go program (about 10 MB of wasm) for timing the preparation pass:
// it links much of the standard library, and uses a little of each part so
// the linker keeps it.
package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"html/template"
	"math/big"
	"os"
	"regexp"
	"text/tabwriter"
)

func main() {
	var out bytes.Buffer
	source, _ := format.Source([]byte("package p\nfunc F( ) int { return 1 }\n"))
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "p.go", source, 0)
	if err == nil {
		ast.Inspect(file, func(ast.Node) bool { return true })
		fmt.Fprintln(&out, file.Name.Name)
	}
	json.NewEncoder(&out).Encode(map[string]int{"a": 1})
	xml.NewEncoder(&out).Encode(struct{ A int }{1})
	template.Must(template.New("t").Parse("<p>{{.}}</p>")).Execute(&out, "x")
	fmt.Fprintln(&out, regexp.MustCompile(`a+b`).MatchString("aab"), new(big.Int).Exp(big.NewInt(3), big.NewInt(99), nil))
	gz := gzip.NewWriter(&out)
	gz.Write([]byte("hello"))
	gz.Close()
	zip.NewWriter(&out).Close()
	fmt.Fprintf(&out, "%x\n", sha256.Sum256([]byte("x")))
	tab := tabwriter.NewWriter(&out, 0, 8, 1, ' ', 0)
	fmt.Fprintln(tab, "a\tb")
	tab.Flush()
	fmt.Println(out.Len() > 0)
	os.Exit(0)
}
