//! Part buffers, reused from part to part and from transfer to transfer.
//!
//! A fresh buffer per part costs more than the part's CRC: the allocator hands out new pages
//! that the kernel must fault in and zero. And freed buffers do not leave the process: glibc
//! keeps a freed multi-MiB block in the malloc arena of the thread that allocated it, and the
//! part workers (and the file workers) use many arenas, so a few uploads in a row left three
//! times the bytes in flight resident (measured with `benches/upload.rs`). So the client's
//! transfers share one free list: a part takes a buffer, sends it, gives it back. It never
//! holds more buffers than were in flight at once, all of one size (the latest part size);
//! they are freed with the client.

use std::sync::{Arc, Mutex};

/// The free part buffers of a client's transfers.
#[derive(Default)]
pub(crate) struct PartBuffers {
    free: Mutex<Free>,
}

#[derive(Default)]
struct Free {
    /// The length of every buffer in `buffers`.
    size: usize,
    buffers: Vec<Arc<[u8]>>,
}

impl PartBuffers {
    /// A buffer of exactly `len` bytes that nobody else holds (its content is stale): a free
    /// one when there is one of that length, else a new zeroed one.
    pub(crate) fn take(&self, len: usize) -> Arc<[u8]> {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        if free.size == len {
            while let Some(mut buffer) = free.buffers.pop() {
                // One still held elsewhere (a transport that kept the body) is left to its holder.
                if Arc::get_mut(&mut buffer).is_some() {
                    return buffer;
                }
            }
        }
        drop(free);
        std::iter::repeat_n(0u8, len).collect()
    }

    /// Gives back a buffer of a transfer whose parts are `part_size` bytes, once the request
    /// that carried it is answered. Kept when it is of that size; buffers of another size are
    /// dropped then (a transfer with another part size took over).
    pub(crate) fn give_back(&self, part_size: usize, buffer: Arc<[u8]>) {
        if buffer.len() != part_size {
            return;
        }
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        if free.size != part_size {
            free.buffers.clear();
            free.size = part_size;
        }
        free.buffers.push(buffer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_returned_buffer_is_reused_only_when_nobody_else_holds_it() {
        let pool = PartBuffers::default();
        let first = pool.take(16);
        let address = first.as_ptr();
        pool.give_back(16, first);
        let again = pool.take(16);
        assert_eq!(again.as_ptr(), address, "the returned buffer comes back");

        let held = again.clone();
        pool.give_back(16, again);
        let fresh = pool.take(16);
        assert_ne!(fresh.as_ptr(), address, "a buffer still held elsewhere is not handed out");
        assert_eq!(held.len(), 16);
    }

    #[test]
    fn it_keeps_one_size_only() {
        let pool = PartBuffers::default();
        pool.give_back(16, pool.take(16));
        // A short last part: its own buffer, not kept.
        let short = pool.take(5);
        assert_eq!(short.len(), 5);
        pool.give_back(16, short);
        assert_eq!(pool.free.lock().unwrap().buffers.len(), 1);
        // Another transfer with 32-byte parts takes over.
        let big = pool.take(32);
        assert_eq!(big.len(), 32);
        pool.give_back(32, big);
        let free = pool.free.lock().unwrap();
        assert_eq!((free.size, free.buffers.len()), (32, 1));
    }
}
