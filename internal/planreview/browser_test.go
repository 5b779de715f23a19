//go:build reviewcheck

package planreview

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser check of make review-check. It needs Chromium, so it is built only with the
// reviewcheck tag: make test never compiles the Chrome DevTools Protocol client.

// TestReviewInBrowser opens the HTML review of a real plan (the documentation example, its
// local API server still running so that the "before" thumbnails load) in headless
// Chromium, and fails unless the page loads without a console error and every <img> shows
// a picture (naturalWidth > 0). Its other subtests break the same page on purpose, to show
// that the check sees a broken image and a console error.
func TestReviewInBrowser(t *testing.T) {
	browser := newBrowser(t)
	l, plan := examplePlan(t, buildProvider(t))
	_, page := l.review(plan)
	if n := strings.Count(page, "<img "); n != 6 {
		t.Fatalf("the example review has %d images, want 6 (three uploads, before and after)", n)
	}

	t.Run("review", func(t *testing.T) {
		if problems := browser.check(t, page); len(problems) > 0 {
			t.Errorf("the review does not load cleanly:\n%s", strings.Join(problems, "\n"))
		}
	})
	t.Run("a broken image is reported", func(t *testing.T) {
		missing := l.srv.URL() + "/assets/1234/missing.png"
		first := regexp.MustCompile(`src="http://[^"]*"`).FindStringIndex(page) // one image only
		broken := page[:first[0]] + `src="` + missing + `"` + page[first[1]:]
		problems := browser.check(t, broken)
		if len(problems) != 1 || problems[0] != "image did not load: "+missing {
			t.Errorf("a page with one missing image: the check reports %q", problems)
		}
	})
	t.Run("a console error is reported", func(t *testing.T) {
		noisy := strings.Replace(page, "</body>", "<script>console.error('review-check canary')</script></body>", 1)
		if problems := strings.Join(browser.check(t, noisy), "\n"); !strings.Contains(problems, "review-check canary") {
			t.Errorf("a page that logs an error passes the check; it reports:\n%s", problems)
		}
	})
}

// browser is a headless Chromium driven through the Chrome DevTools Protocol.
type browser struct {
	ctx context.Context // the browser's; each check opens a tab of its own
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		var err error
		if path, err = exec.LookPath("chromium"); err != nil {
			t.Fatal("Chromium is not installed (apt-get install -y chromium), or set CHROMIUM to its path")
		}
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("starting %s: %v", path, err)
	}
	return &browser{ctx: ctx}
}

// check serves page over HTTP, as a reviewer's browser would load it, and returns what is
// wrong with it: console errors, uncaught exceptions, and images without a picture.
func (b *browser) check(t *testing.T, page string) []string {
	t.Helper()
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	defer site.Close()

	tab, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	tab, cancelTimeout := context.WithTimeout(tab, time.Minute)
	defer cancelTimeout()
	// Subscribe before the page loads, so that no message is missed. Navigate returns after
	// the load event: every image has loaded or failed by then.
	messages := chromedp.Console(tab)
	if err := chromedp.Do(tab, chromedp.Navigate(site.URL)); err != nil {
		t.Fatalf("loading the page in Chromium: %v", err)
	}
	// The last message marks the end of the page's messages: the console keeps their order.
	const end = "review-check: end of the messages"
	broken, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`console.log(`+strconv.Quote(end)+`), `+
		`Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc || i.src)`))
	if err != nil {
		t.Fatalf("reading the images of the page: %v", err)
	}
	var problems []string
	for m, err := range messages {
		if err != nil {
			t.Fatalf("reading the console: %v", err)
		}
		if m.Text == end {
			break
		}
		if m.Type == chromedp.ConsoleError || m.IsException() {
			problems = append(problems, fmt.Sprintf("console %s (%s)", m, clip(m.URL)))
		}
	}
	for _, src := range broken {
		problems = append(problems, "image did not load: "+clip(src))
	}
	return problems
}

// clip shortens the data: URIs of embedded images in messages.
func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
