//! UART front end of the serial boards (filled below).
