//! The `wct` binary's allocator: mimalloc for everything up to [`LARGE`] bytes, the system
//! allocator (glibc) above.
//!
//! Compiling (Cranelift, Winch) and parsing wasm allocate many small objects from several
//! threads, where mimalloc is much faster than glibc: a cold `wct run` of an 18 MB Python
//! component took a quarter less time. Large buffers that grow — an encoded component of tens
//! of megabytes, built by appending — are better left to glibc, which grows a mapped block in
//! place (`mremap`) where mimalloc copies it into a new one, holding both for a moment: a
//! 30 MB composition from a `.wac` document peaked a third higher. The block's size decides
//! where it lives, and Rust passes the size to every call, so each call knows which
//! allocator owns the block without any bookkeeping.
#![allow(unsafe_code)] // implementing `GlobalAlloc` is unsafe by definition; each call forwards.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks of this many bytes or more come from the system allocator.
const LARGE: usize = 1 << 20;

/// mimalloc below [`LARGE`], the system allocator from there on.
pub struct SplitAllocator;

/// mimalloc itself, for the small blocks.
static SMALL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn is_large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every method forwards to the allocator that owns the block, decided by its size
// alone (the same size the caller passes back on dealloc and realloc), and both allocators
// uphold `GlobalAlloc`'s contract; a block changing sides in `realloc` is copied by the
// standard `alloc`-copy-`dealloc` sequence.
unsafe impl GlobalAlloc for SplitAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_large(layout.size()) {
            unsafe { System.alloc(layout) }
        } else {
            unsafe { SMALL.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if is_large(layout.size()) {
            unsafe { System.alloc_zeroed(layout) }
        } else {
            unsafe { SMALL.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_large(layout.size()) {
            unsafe { System.dealloc(ptr, layout) }
        } else {
            unsafe { SMALL.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (is_large(layout.size()), is_large(new_size)) {
            (true, true) => unsafe { System.realloc(ptr, layout, new_size) },
            (false, false) => unsafe { SMALL.realloc(ptr, layout, new_size) },
            _ => {
                // SAFETY: `new_size` with the old alignment is a valid layout (the caller
                // guarantees it does not overflow when rounded up to the alignment).
                let new_layout =
                    unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
                let new = unsafe { self.alloc(new_layout) };
                if !new.is_null() {
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_keeps_its_bytes_when_it_grows_past_large_and_shrinks_back() {
        let small = Layout::from_size_align(1000, 8).unwrap();
        let pattern = |i: usize| (i * 7 % 251) as u8;
        unsafe {
            let p = SplitAllocator.alloc(small);
            assert!(!p.is_null());
            for i in 0..small.size() {
                *p.add(i) = pattern(i);
            }
            // Small -> large: copied from mimalloc to the system allocator.
            let p = SplitAllocator.realloc(p, small, 3 * LARGE);
            assert!(!p.is_null());
            let large = Layout::from_size_align(3 * LARGE, 8).unwrap();
            for i in 0..small.size() {
                assert_eq!(*p.add(i), pattern(i));
            }
            for i in small.size()..large.size() {
                *p.add(i) = pattern(i);
            }
            // Large -> larger: the system allocator's own realloc.
            let p = SplitAllocator.realloc(p, large, 4 * LARGE);
            let larger = Layout::from_size_align(4 * LARGE, 8).unwrap();
            for i in (0..large.size()).step_by(4093) {
                assert_eq!(*p.add(i), pattern(i));
            }
            // Large -> small: back to mimalloc, the first bytes kept.
            let p = SplitAllocator.realloc(p, larger, 500);
            for i in 0..500 {
                assert_eq!(*p.add(i), pattern(i));
            }
            SplitAllocator.dealloc(p, Layout::from_size_align(500, 8).unwrap());
        }
    }
}
