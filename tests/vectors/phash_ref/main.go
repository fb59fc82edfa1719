// Command phash_ref prints reference perceptual-hash vectors for Obscura's
// Python port (plugin_sdk/hashing.py) as JSON on stdout.
//
// It builds deterministic synthetic *image.NRGBA images (the same integer
// formulas are implemented in tests/unit/test_hashing.py), resizes them with
// the real github.com/nfnt/resize Bilinear filter, and then applies the steps
// of goimagehash v1.1.0 PerceptionHash (grey conversion, unscaled DCT-II
// using Byeong Gi Lee's recursion with goimagehash's static divisor tables,
// top-left 8x8, quick-select median, strict '>' bits), re-implemented here.
//
// Not run by CI.  See README.md for how to regenerate the vectors.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"os/exec"
	"sort"

	"github.com/disintegration/imaging"
	"github.com/nfnt/resize"
	_ "golang.org/x/image/bmp"
)

// ---------------------------------------------------------------------------
// Deterministic test images (keep in sync with tests/unit/test_hashing.py)
// ---------------------------------------------------------------------------

func divOr1(a, b int) int {
	if b <= 0 {
		b = 1
	}
	return a / b
}

func pattern(name string, w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	seed := uint32(w*7919 + h*104729 + 1)
	next := func() uint8 {
		seed = seed*1664525 + 1013904223
		return uint8(seed >> 24)
	}
	tw, th := w/5, h/5
	if tw < 1 {
		tw = 1
	}
	if th < 1 {
		th = 1
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var c color.NRGBA
			switch name {
			case "gradient":
				c = color.NRGBA{
					R: uint8(divOr1(x*255, w-1)),
					G: uint8(divOr1(y*255, h-1)),
					B: uint8(divOr1((x+y)*255, w+h-2)),
					A: 255,
				}
			case "xor":
				c = color.NRGBA{R: uint8((x ^ y) & 255), G: uint8((x * y) & 255), B: uint8((x*7 + y*3) % 256), A: 255}
			case "rings":
				dx, dy := x-w/2, y-h/2
				v := ((dx*dx + dy*dy) / 8) % 256
				c = color.NRGBA{R: uint8(v), G: uint8(255 - v), B: uint8(((x/8 + y/8) % 2) * 255), A: 255}
			case "lcg":
				c = color.NRGBA{R: next(), G: next(), B: next(), A: 255}
			case "alpha":
				c = color.NRGBA{R: uint8((x ^ y) & 255), G: uint8((x*y + 17) & 255), B: uint8((x*7 + y*3) % 256), A: uint8((x*5 + y*11) % 256)}
			case "tiles":
				t := x/tw + 5*(y/th)
				c = color.NRGBA{R: uint8((t*37 + (x%tw)*3) % 256), G: uint8((t*91 + (y%th)*5) % 256), B: uint8((t * 53) % 256), A: 255}
			default:
				panic("unknown pattern " + name)
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

// ---------------------------------------------------------------------------
// goimagehash v1.1.0 PerceptionHash steps (re-implemented)
// ---------------------------------------------------------------------------

// Divisor tables of goimagehash transforms/static.go: t[N][i] = 2*cos((i+0.5)*pi/N).
var dctTables = map[int][]float64{
	64: {
		1.9993976373924083, 1.9945809133573804, 1.9849590691974202, 1.9705552847778824,
		1.9514042600770571, 1.9275521315908797, 1.8990563611860733, 1.8659855976694777,
		1.8284195114070614, 1.7864486023910306, 1.7401739822174227, 1.6897071304994142,
		1.6351696263031674, 1.5766928552532127, 1.5144176930129691, 1.448494165902934,
		1.3790810894741339, 1.3063456859075537, 1.2304631811612539, 1.151616382835691,
		1.0699952397741948, 0.9857963844595683, 0.8992226593092132, 0.8104826280099796,
		0.7197900730699766, 0.627363480797783, 0.5334255149497968, 0.43820248031373954,
		0.3419237775206027, 0.24482135039843256, 0.1471291271993349, 0.049082457045824535,
	},
	32: {
		1.9975909124103448, 1.978353019929562, 1.9400625063890882, 1.8830881303660416,
		1.8079785862468867, 1.7154572200005442, 1.6064150629612899, 1.4819022507099182,
		1.3431179096940369, 1.191398608984867, 1.0282054883864435, 0.8551101868605644,
		0.6737797067844401, 0.48596035980652796, 0.2934609489107235, 0.09813534865483627,
	},
	16: {
		1.9903694533443936, 1.9138806714644176, 1.76384252869671, 1.546020906725474,
		1.2687865683272912, 0.9427934736519956, 0.5805693545089246, 0.19603428065912154,
	},
	8: {1.9615705608064609, 1.6629392246050907, 1.1111404660392046, 0.3901806440322566},
	4: {1.8477590650225735, 0.7653668647301797},
	2: {1.4142135623730951},
}

// leeDCT performs an in-place unscaled DCT-II of len(v) (a power of two <= 64)
// with the same float operations, in the same order, as goimagehash's
// forwardDCT64/32/16/8/4.
func leeDCT(v []float64) {
	n := len(v)
	if n == 1 {
		return
	}
	half := n / 2
	tab := dctTables[n]
	tmp := make([]float64, n)
	for i := 0; i < half; i++ {
		x, y := v[i], v[n-1-i]
		tmp[i] = x + y
		tmp[i+half] = (x - y) / tab[i]
	}
	leeDCT(tmp[:half])
	leeDCT(tmp[half:])
	for i := 0; i < half-1; i++ {
		v[2*i] = tmp[i]
		v[2*i+1] = tmp[i+half] + tmp[i+half+1]
	}
	v[n-2], v[n-1] = tmp[half-1], tmp[n-1]
}

// naiveDCT is the textbook unscaled DCT-II, used only as a sanity check.
func naiveDCT(v []float64) []float64 {
	n := len(v)
	out := make([]float64, n)
	for k := 0; k < n; k++ {
		s := 0.0
		for i := 0; i < n; i++ {
			s += v[i] * math.Cos(math.Pi/float64(n)*(float64(i)+0.5)*float64(k))
		}
		out[k] = s
	}
	return out
}

// grey64 mirrors goimagehash Rgb2GrayFast: every pixel is read through the
// image.Image interface's RGBA() (16-bit, premultiplied) and combined as
// 0.299*(r/257) + 0.587*(g/257) + 0.114*(b/256) with uint32 divisions.
func grey64(img image.Image) []float64 {
	pixels := make([]float64, 64*64)
	for i := 0; i < 64; i++ {
		for j := 0; j < 64; j++ {
			r, g, b, _ := img.At(j, i).RGBA()
			pixels[i*64+j] = 0.299*float64(r/257) + 0.587*float64(g/257) + 0.114*float64(b/256)
		}
	}
	return pixels
}

// dct2dTop8 mirrors DCT2DFast64: rows, then columns, then the top-left 8x8 with
// flat[8*i+j] = dct[i][j].
func dct2dTop8(pixels []float64) []float64 {
	in := make([]float64, len(pixels))
	copy(in, pixels)
	for i := 0; i < 64; i++ {
		leeDCT(in[i*64 : i*64+64])
	}
	col := make([]float64, 64)
	flat := make([]float64, 64)
	for i := 0; i < 64; i++ {
		for j := 0; j < 64; j++ {
			col[j] = in[64*j+i]
		}
		leeDCT(col)
		for j := 0; j < 64; j++ {
			in[64*j+i] = col[j]
		}
	}
	for i := 0; i < 8; i++ {
		for j := 0; j < 8; j++ {
			flat[8*i+j] = in[64*i+j]
		}
	}
	return flat
}

// quickSelectMedian mirrors goimagehash's MedianOfPixelsFast64 (k = 32).
func quickSelectMedian(values []float64) float64 {
	seq := make([]float64, len(values))
	copy(seq, values)
	k := len(seq) / 2
	low, hi := 0, len(seq)-1
	if low == hi {
		return seq[k]
	}
	for low < hi {
		pivot := low/2 + hi/2
		pivotValue := seq[pivot]
		store := low
		seq[pivot], seq[hi] = seq[hi], seq[pivot]
		for i := low; i < hi; i++ {
			if seq[i] < pivotValue {
				seq[store], seq[i] = seq[i], seq[store]
				store++
			}
		}
		seq[hi], seq[store] = seq[store], seq[hi]
		if k <= store {
			hi = store
		} else {
			low = store + 1
		}
	}
	if len(seq)%2 == 0 {
		return seq[k-1]/2 + seq[k]/2
	}
	return seq[k]
}

func bits(flat []float64, median float64) uint64 {
	var h uint64
	for idx, p := range flat {
		if p > median {
			h |= 1 << uint(len(flat)-idx-1)
		}
	}
	return h
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

type vector struct {
	Pattern string    `json:"pattern"`
	W       int       `json:"w"`
	H       int       `json:"h"`
	Phash   string    `json:"phash"`
	Median  float64   `json:"median"`
	DCT     []float64 `json:"dct8x8,omitempty"`
}

type resizeDump struct {
	Pattern string    `json:"pattern"`
	W       int       `json:"w"`
	H       int       `json:"h"`
	Type    string    `json:"resized_type"`
	RGBA    string    `json:"rgba_hex,omitempty"`
	Grey    []float64 `json:"grey,omitempty"`
}

type medianCase struct {
	Values []float64 `json:"values"`
	Median float64   `json:"median"`
}

type sprintCase struct {
	Value float64 `json:"value"`
	Text  string  `json:"text"`
}

type timesCase struct {
	Duration float64   `json:"duration"`
	Times    []float64 `json:"times"`
	Args     []string  `json:"ss_args"`
}

type output struct {
	Comment    string       `json:"comment"`
	Vectors    []vector     `json:"vectors"`
	Resized    []resizeDump `json:"resized"`
	Medians    []medianCase `json:"medians"`
	Sprint     []sprintCase `json:"sprint"`
	Timestamps []timesCase  `json:"timestamps"`
	Sanity     []string     `json:"sanity"`
}

var patterns = []string{"gradient", "xor", "rings", "lcg", "alpha", "tiles"}

var sizes = [][2]int{
	{800, 450}, {800, 600}, {160, 90}, {64, 64}, {37, 23}, {65, 63},
	{801, 449}, {3, 200}, {1000, 40}, {64, 100}, {1, 1},
}

// perceptionHash = goimagehash v1.1.0 PerceptionHash (steps re-implemented above).
func perceptionHash(img image.Image) uint64 {
	flat := dct2dTop8(grey64(resize.Resize(64, 64, img, resize.Bilinear)))
	return bits(flat, quickSelectMedian(flat))
}

// videoPhash mirrors stash pkg/hash/videophash: generateSprite + combineImages.
func videoPhash(ffmpeg, path string, duration float64) (uint64, error) {
	const columns, rows, screenshotSize = 5, 5, 160
	chunkCount := columns * rows
	offset := 0.05 * duration
	stepSize := (0.9 * duration) / float64(chunkCount)
	var images []image.Image
	for i := 0; i < chunkCount; i++ {
		t := offset + (float64(i) * stepSize)
		cmd := exec.Command(ffmpeg, "-v", "error", "-y", "-ss", fmt.Sprint(t), "-i", path,
			"-frames:v", "1", "-vf", fmt.Sprintf("scale=%d:-2", screenshotSize), "-c:v", "bmp", "-f", "rawvideo", "-")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("ffmpeg at %v: %v: %s", t, err, stderr.String())
		}
		img, _, err := image.Decode(bytes.NewReader(stdout.Bytes()))
		if err != nil {
			return 0, fmt.Errorf("decoding image: %w", err)
		}
		images = append(images, img)
	}
	width := images[0].Bounds().Size().X
	height := images[0].Bounds().Size().Y
	montage := imaging.New(width*columns, height*rows, color.NRGBA{})
	for index := 0; index < len(images); index++ {
		x := width * (index % columns)
		y := height * int(math.Floor(float64(index)/float64(rows)))
		montage = imaging.Paste(montage, images[index], image.Pt(x, y))
	}
	return perceptionHash(montage), nil
}

func main() {
	video := flag.String("video", "", "print the Stash video phash of this file instead of the JSON vectors")
	duration := flag.Float64("duration", 0, "container duration in seconds (with -video)")
	ffmpeg := flag.String("ffmpeg", "ffmpeg", "ffmpeg executable (with -video)")
	flag.Parse()
	if *video != "" {
		h, err := videoPhash(*ffmpeg, *video, *duration)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%016x\n", h)
		return
	}

	out := output{
		Comment: "Generated by tests/vectors/phash_ref (go run .); do not edit by hand. " +
			"nfnt/resize 83c6a99 Bilinear + goimagehash v1.1.0 PerceptionHash steps.",
	}
	fail := func(format string, args ...interface{}) {
		fmt.Fprintf(os.Stderr, format+"\n", args...)
		os.Exit(1)
	}

	// The literal tables must be 2*cos((i+0.5)*pi/N) as computed by Go's math.
	for n, tab := range dctTables {
		for i, v := range tab {
			if want := math.Cos((float64(i)+0.5)*math.Pi/float64(n)) * 2; want != v {
				out.Sanity = append(out.Sanity, fmt.Sprintf("table %d[%d] literal %v != math %v", n, i, v, want))
			}
		}
	}

	for _, p := range patterns {
		for _, s := range sizes {
			img := pattern(p, s[0], s[1])
			resized := resize.Resize(64, 64, img, resize.Bilinear)
			grey := grey64(resized)
			flat := dct2dTop8(grey)
			median := quickSelectMedian(flat)

			// Sanity: Lee DCT vs naive DCT, and quick-select vs sorted median.
			sorted := append([]float64(nil), flat...)
			sort.Float64s(sorted)
			if trueMedian := (sorted[31] + sorted[32]) / 2; trueMedian != median {
				out.Sanity = append(out.Sanity, fmt.Sprintf("%s %dx%d: quickselect median %v != sorted %v", p, s[0], s[1], median, trueMedian))
			}
			rowNaive := naiveDCT(grey[:64])
			rowLee := append([]float64(nil), grey[:64]...)
			leeDCT(rowLee)
			for k := range rowLee {
				if math.Abs(rowLee[k]-rowNaive[k]) > 1e-6*(1+math.Abs(rowNaive[k])) {
					fail("Lee DCT disagrees with naive DCT for %s %dx%d at %d", p, s[0], s[1], k)
				}
			}

			v := vector{Pattern: p, W: s[0], H: s[1], Median: median, Phash: fmt.Sprintf("%016x", bits(flat, median))}
			if s[0] == 800 && s[1] == 450 || p == "alpha" && s[0] == 64 && s[1] == 64 {
				v.DCT = flat
			}
			out.Vectors = append(out.Vectors, v)

			dump := (p == "lcg" && s == [2]int{800, 450}) || (p == "alpha" && s == [2]int{37, 23}) ||
				(p == "xor" && s == [2]int{801, 449}) || (p == "alpha" && s == [2]int{800, 600})
			if dump {
				rgba, ok := resized.(*image.RGBA)
				if !ok {
					fail("unexpected resize result type %T", resized)
				}
				out.Resized = append(out.Resized, resizeDump{Pattern: p, W: s[0], H: s[1], Type: "RGBA", RGBA: hex.EncodeToString(rgba.Pix)})
			}
			if p == "alpha" && s == [2]int{64, 64} {
				if _, ok := resized.(*image.NRGBA); !ok {
					fail("64x64 input should be returned unchanged, got %T", resized)
				}
				out.Resized = append(out.Resized, resizeDump{Pattern: p, W: s[0], H: s[1], Type: "NRGBA", Grey: grey})
			}
		}
	}

	// Median rule: deterministic pseudo-random 64-vectors, some with ties.
	seed := uint32(12345)
	rnd := func() float64 {
		seed = seed*1664525 + 1013904223
		return float64(seed>>8)/float64(1<<24)*2000 - 1000
	}
	for c := 0; c < 20; c++ {
		vals := make([]float64, 64)
		for i := range vals {
			vals[i] = rnd()
			if c%4 == 3 {
				vals[i] = math.Floor(vals[i] / 250) // many ties
			}
		}
		out.Medians = append(out.Medians, medianCase{Values: vals, Median: quickSelectMedian(vals)})
	}

	// fmt.Sprint of float64 (used by Stash for the ffmpeg -ss argument).
	floats := []float64{0, 0.5, 12, 12.5, 1.0 / 3, 0.0001, 0.00001, 999999, 1e6, 1234567, 1e21, 1e-7, 3290.4}
	for _, f := range floats {
		out.Sprint = append(out.Sprint, sprintCase{Value: f, Text: fmt.Sprint(f)})
	}

	// Frame times exactly as stash pkg/hash/videophash generateSprite computes them.
	for _, d := range []float64{4, 10, 60.06, 123.456, 1800, 5400.123, 7.2e5, 3e7} {
		chunkCount := 25
		offset := 0.05 * d
		stepSize := (0.9 * d) / float64(chunkCount)
		tc := timesCase{Duration: d}
		for i := 0; i < chunkCount; i++ {
			t := offset + (float64(i) * stepSize)
			tc.Times = append(tc.Times, t)
			tc.Args = append(tc.Args, fmt.Sprint(t))
		}
		out.Timestamps = append(out.Timestamps, tc)
	}

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fail("encoding: %v", err)
	}
}
