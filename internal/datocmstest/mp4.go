package datocmstest

import (
	"encoding/binary"
	"io"
	"math"
	"slices"
)

// Videos: what Mux reports once it has processed one (duration, frame rate, the highest MP4
// rendition) is read here from the file's ISO BMFF boxes (MP4, MOV), where that is cheap:
// mvhd holds the duration; the video track's mdhd timescale and stts sample deltas give the
// frame rate, and its tkhd the height. A box that is missing leaves its value unknown, and
// muxResult falls back to fixed plausible values.

// videoFacts is what the header of a video says; zero means unknown.
type videoFacts struct {
	duration  float64 // seconds
	frameRate float64
	height    int
}

// maxMoovSize bounds the moov box read into memory. Real ones are kilobytes to a few
// megabytes; a larger one is treated as unreadable rather than loaded.
const maxMoovSize = 64 << 20

// readVideoFacts reads the moov box of an ISO BMFF file, seeking past every other top-level
// box (mdat can be gigabytes), and parses it. Anything it cannot read leaves facts unknown.
func readVideoFacts(f io.ReadSeeker) videoFacts {
	for {
		var head [16]byte
		if _, err := io.ReadFull(f, head[:8]); err != nil {
			return videoFacts{}
		}
		size, hdr := int64(binary.BigEndian.Uint32(head[:4])), int64(8)
		switch size {
		case 0: // the box runs to the end of the file
			size = math.MaxInt64
		case 1: // a 64-bit size follows the type
			if _, err := io.ReadFull(f, head[8:16]); err != nil {
				return videoFacts{}
			}
			size, hdr = int64(binary.BigEndian.Uint64(head[8:16])), 16 //nolint:gosec // G115: a size above 2^63 is garbage and fails the check below.
		}
		if size < hdr {
			return videoFacts{}
		}
		if string(head[4:8]) == "moov" {
			if size-hdr > maxMoovSize {
				return videoFacts{}
			}
			moov := make([]byte, size-hdr)
			if _, err := io.ReadFull(f, moov); err != nil {
				return videoFacts{}
			}
			return parseMoov(moov)
		}
		if size == math.MaxInt64 {
			return videoFacts{}
		}
		if _, err := f.Seek(size-hdr, io.SeekCurrent); err != nil {
			return videoFacts{}
		}
	}
}

// children calls visit with the type and payload of each box in b, stopping at the first
// malformed one.
func children(b []byte, visit func(typ string, payload []byte)) {
	for len(b) >= 8 {
		size, hdr := uint64(binary.BigEndian.Uint32(b)), uint64(8)
		switch size {
		case 0:
			size = uint64(len(b))
		case 1:
			if len(b) < 16 {
				return
			}
			size, hdr = binary.BigEndian.Uint64(b[8:]), 16
		}
		if size < hdr || size > uint64(len(b)) {
			return
		}
		visit(string(b[4:8]), b[hdr:size])
		b = b[size:]
	}
}

// fullBoxField reads the unsigned field of a version-0 or version-1 full box (mvhd, mdhd,
// tkhd) found at off0 in version 0 and at off1 in version 1, where it is 64 bits wide
// when wide1 is set. ok is false when the box is too short.
func fullBoxField(p []byte, off0, off1 int, wide1 bool) (v uint64, ok bool) {
	if len(p) < 4 {
		return 0, false
	}
	switch {
	case p[0] == 0 && len(p) >= off0+4:
		return uint64(binary.BigEndian.Uint32(p[off0:])), true
	case p[0] == 1 && wide1 && len(p) >= off1+8:
		return binary.BigEndian.Uint64(p[off1:]), true
	case p[0] == 1 && !wide1 && len(p) >= off1+4:
		return uint64(binary.BigEndian.Uint32(p[off1:])), true
	}
	return 0, false
}

// parseMoov reads the movie duration from mvhd and the frame rate and height of the first
// video track.
func parseMoov(moov []byte) videoFacts {
	var v videoFacts
	seenVideo := false
	children(moov, func(typ string, p []byte) {
		switch typ {
		case "mvhd":
			scale, ok1 := fullBoxField(p, 12, 20, false)
			dur, ok2 := fullBoxField(p, 16, 24, true)
			if ok1 && ok2 && scale > 0 {
				v.duration = float64(dur) / float64(scale)
			}
		case "trak":
			if t, isVideo := parseTrak(p); isVideo && !seenVideo {
				v.frameRate, v.height, seenVideo = t.frameRate, t.height, true
			}
		}
	})
	return v
}

// parseTrak reads one trak box: its handler (video or not), height and frame rate.
func parseTrak(trak []byte) (v videoFacts, isVideo bool) {
	var timescale, samples, ticks uint64
	var walk func(typ string, p []byte)
	walk = func(typ string, p []byte) {
		switch typ {
		case "mdia", "minf", "stbl":
			children(p, walk)
		case "tkhd": // height is 16.16 fixed point
			if h, ok := fullBoxField(p, 80, 92, false); ok {
				v.height = int(h >> 16)
			}
		case "hdlr":
			isVideo = len(p) >= 12 && string(p[8:12]) == "vide"
		case "mdhd":
			timescale, _ = fullBoxField(p, 12, 20, false)
		case "stts": // entries of (sample count, sample delta)
			if len(p) < 8 {
				return
			}
			n := uint64(binary.BigEndian.Uint32(p[4:]))
			for i := uint64(0); i < n && 16+8*i <= uint64(len(p)); i++ {
				e := p[8+8*i:]
				count, delta := uint64(binary.BigEndian.Uint32(e)), uint64(binary.BigEndian.Uint32(e[4:]))
				samples, ticks = samples+count, ticks+count*delta
			}
		}
	}
	children(trak, walk)
	if timescale > 0 && ticks > 0 {
		v.frameRate = float64(samples) * float64(timescale) / float64(ticks)
	}
	return v, isVideo
}

// TinyMP4 returns a small MP4 whose header says the video lasts durationSeconds and has
// fps frames per second, at 1280x720: an ftyp box and a moov box with mvhd and one video
// track (tkhd, mdia/mdhd, hdlr, minf/stbl/stts). It carries no media data, so no player
// plays it, but datocms-local reads duration, frame_rate and mux_mp4_highest_res from it.
// With fps <= 0 the track has no stts box, so the frame rate falls back to the server's
// fixed value. Tests in other packages (the provider's) use it to upload a video.
func TinyMP4(durationSeconds float64, fps int) []byte {
	const movieScale, frameTicks = 1000, 100
	durationSeconds = max(durationSeconds, 0)
	frames := max(1, int(math.Round(durationSeconds*float64(fps))))
	trackScale := uint32(max(fps, 1) * frameTicks) //nolint:gosec // G115: fps is a small test value.
	u32 := func(vs ...uint32) []byte {
		b := make([]byte, 0, 4*len(vs))
		for _, v := range vs {
			b = binary.BigEndian.AppendUint32(b, v)
		}
		return b
	}
	identity := u32(0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
	duration := uint32(math.Round(durationSeconds * movieScale))
	// Version 0 full boxes: version and flags, creation and modification time, then fields.
	mvhd := slices.Concat(u32(0, 0, 0, movieScale, duration, 0x10000), []byte{1, 0, 0, 0}, make([]byte, 8), identity, make([]byte, 24), u32(2))
	tkhd := slices.Concat(u32(3, 0, 0, 1, 0, duration, 0, 0, 0, 0), identity, u32(1280<<16, 720<<16))
	mdhd := slices.Concat(u32(0, 0, 0, trackScale, uint32(frames*frameTicks)), make([]byte, 4)) //nolint:gosec // G115: small test values.
	hdlr := slices.Concat(u32(0, 0), []byte("vide"), make([]byte, 12), []byte("video\x00"))
	stbl := []byte(nil)
	if fps > 0 {
		stbl = box("stts", u32(0, 1, uint32(frames), frameTicks)) //nolint:gosec // G115: small test values.
	}
	trak := box("trak", box("tkhd", tkhd), box("mdia", box("mdhd", mdhd), box("hdlr", hdlr), box("minf", box("stbl", stbl))))
	return slices.Concat(box("ftyp", []byte("isom"), u32(0x200), []byte("isommp41")), box("moov", box("mvhd", mvhd), trak))
}

// box builds an ISO BMFF box of type typ around its payload parts.
func box(typ string, payload ...[]byte) []byte {
	body := slices.Concat(payload...)
	return slices.Concat(binary.BigEndian.AppendUint32(nil, uint32(8+len(body))), []byte(typ), body) //nolint:gosec // G115: boxes built here are small.
}
