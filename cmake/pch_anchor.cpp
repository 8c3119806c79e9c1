// Anchor translation unit of the shared precompiled headers (cmake/weft.cmake).
