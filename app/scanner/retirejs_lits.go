package scanner

// litMatcher finds many literals in one pass over a body (Aho-Corasick as
// a dense automaton over byte classes), so a 500 KB script is read once for
// the prefilters of all the retire.js content extractors instead of once
// per extractor (docs/BENCHMARKS.md).
type litMatcher struct {
	class  [256]uint16 // byte → column; 0 is every byte no literal has
	ncol   int
	next   []int32   // state*ncol + column → state
	out    [][]int32 // per state: ids of the literals ending there
	nlits  int
	hasOut []bool
}

func newLitMatcher(lits [][]byte) *litMatcher {
	m := &litMatcher{nlits: len(lits)}
	for _, l := range lits {
		for _, c := range l {
			if m.class[c] == 0 {
				m.ncol++
				m.class[c] = uint16(m.ncol)
			}
		}
	}
	m.ncol++
	// The trie; -1 is "no edge" until the failure links fill it.
	newState := func() int32 {
		for range m.ncol {
			m.next = append(m.next, -1)
		}
		m.out = append(m.out, nil)
		return int32(len(m.out) - 1)
	}
	newState()
	for id, l := range lits {
		s := int32(0)
		for _, c := range l {
			i := int(s)*m.ncol + int(m.class[c])
			if m.next[i] < 0 {
				n := newState()
				m.next[i] = n
			}
			s = m.next[int(s)*m.ncol+int(m.class[c])]
		}
		m.out[s] = append(m.out[s], int32(id))
	}
	// Breadth first: failure links, folded into the table so scanning is
	// one lookup per byte.
	fail := make([]int32, len(m.out))
	var queue []int32
	for c := range m.ncol {
		if n := m.next[c]; n < 0 {
			m.next[c] = 0
		} else {
			fail[n] = 0
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		m.out[s] = append(m.out[s], m.out[fail[s]]...)
		for c := range m.ncol {
			i := int(s)*m.ncol + c
			if n := m.next[i]; n < 0 {
				m.next[i] = m.next[int(fail[s])*m.ncol+c]
			} else {
				fail[n] = m.next[int(fail[s])*m.ncol+c]
				queue = append(queue, n)
			}
		}
	}
	m.hasOut = make([]bool, len(m.out))
	for s, o := range m.out {
		m.hasOut[s] = len(o) > 0
	}
	return m
}

// find returns, per literal id, the end offsets of its occurrences in b
// (nil when absent), at most limit each.
func (m *litMatcher) find(b []byte, limit int) [][]int32 {
	occ := make([][]int32, m.nlits)
	s := int32(0)
	ncol := m.ncol
	for i, c := range b {
		s = m.next[int(s)*ncol+int(m.class[c])]
		if m.hasOut[s] {
			for _, id := range m.out[s] {
				if len(occ[id]) < limit {
					occ[id] = append(occ[id], int32(i+1))
				}
			}
		}
	}
	return occ
}
