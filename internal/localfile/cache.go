package localfile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/assetform/terraform-provider-datocms/internal/cachedir"
)

// hashCache hands a file's MD5 from the provider process that planned it to the one that
// applies the plan: terraform starts a new provider process for each phase, and for a new
// upload (or a new source path) there is no private state yet to carry it. An entry is
// keyed by the file's absolute path and its complete stat, so it can only ever describe
// the very version of the file it was made from. Small files are not cached (hashing them
// costs less than the lookup); entries older than cacheMaxAge are removed. Any failure to
// read or write the cache is ignored: the file is then hashed again. It lives in the
// provider's checked cache directory (see internal/cachedir), and an entry is read only if
// nobody but the user could have written it: a planted one would stand for any content.
type hashCache struct {
	root  *cachedir.Root
	prune sync.Once
}

const (
	cacheDirName  = "md5"
	minCachedSize = 1 << 20
	cacheMaxAge   = 24 * time.Hour
)

// entryName is the file name of the entry of a version of the file at abs.
func entryName(abs string, s Stat) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d\x00%d\x00%d\x00%d", abs, s.Size, s.ModNS, s.ChangeNS, s.Inode, s.Device))
	return hex.EncodeToString(sum[:16]) + ".json"
}

func (c *hashCache) get(abs string, s Stat) (Facts, bool) {
	if s.Size < minCachedSize {
		return Facts{}, false
	}
	file, err := os.Open(c.root.Path(cacheDirName, entryName(abs, s)))
	if err != nil {
		return Facts{}, false
	}
	defer file.Close()
	var f Facts
	info, err := file.Stat()
	if err != nil || !cachedir.TrustedFile(info) || json.NewDecoder(io.LimitReader(file, 64<<10)).Decode(&f) != nil || f.Stat != s || f.MD5 == "" {
		return Facts{}, false
	}
	return f, true
}

func (c *hashCache) put(abs string, f Facts) {
	if f.Size < minCachedSize {
		return
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return
	}
	// The directory is made when first needed (no empty directory is left behind), and
	// pruned only once WriteFile has checked it.
	if c.root.WriteFile(entryName(abs, f.Stat), raw, cacheDirName) == nil {
		c.prune.Do(func() { c.removeOld(c.root.Path(cacheDirName)) })
	}
}

func (c *hashCache) removeOld(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > cacheMaxAge {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
