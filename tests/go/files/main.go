// Files in a preopened directory: create, write, append, read, stat,
// list, rename, remove.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func check(what string, err error) {
	if err != nil {
		fmt.Printf("%s: error %v\n", what, err)
	}
}

func main() {
	dir := os.Args[1]
	base := filepath.Join(dir, "go-work")
	check("mkdir", os.MkdirAll(filepath.Join(base, "nested", "deeper"), 0o755))
	for i := 0; i < 20; i++ {
		name := filepath.Join(base, fmt.Sprintf("file-%02d.txt", i))
		check("write", os.WriteFile(name, []byte(strings.Repeat(fmt.Sprintf("line %d\n", i), i+1)), 0o644))
	}
	f, err := os.OpenFile(filepath.Join(base, "file-03.txt"), os.O_APPEND|os.O_WRONLY, 0)
	check("open append", err)
	if f != nil {
		_, err = f.WriteString("appended\n")
		check("append", err)
		check("close", f.Close())
	}
	data, err := os.ReadFile(filepath.Join(base, "file-03.txt"))
	check("read", err)
	fmt.Printf("file-03.txt: %q\n", data)
	info, err := os.Stat(filepath.Join(base, "file-19.txt"))
	check("stat", err)
	if info != nil {
		fmt.Println("file-19.txt size", info.Size(), "dir", info.IsDir())
	}
	check("rename", os.Rename(filepath.Join(base, "file-00.txt"), filepath.Join(base, "nested", "moved.txt")))
	for i := 10; i < 20; i++ {
		check("remove", os.Remove(filepath.Join(base, fmt.Sprintf("file-%02d.txt", i))))
	}
	var listing []string
	check("walk", filepath.WalkDir(base, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(base, path)
		listing = append(listing, fmt.Sprintf("%s dir=%v", rel, d.IsDir()))
		return nil
	}))
	sort.Strings(listing)
	fmt.Println(strings.Join(listing, "\n"))
	_, err = os.ReadFile(filepath.Join(base, "missing.txt"))
	fmt.Println("missing file is not-exist:", os.IsNotExist(err))
}
