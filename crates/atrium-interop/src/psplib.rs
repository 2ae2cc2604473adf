//! psplib (being written)
