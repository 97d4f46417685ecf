/* A type that did not make the PC_DECLARE promise has no PC_PTR. */
#include <pcoll/pcoll.h>
typedef struct has_ptr { char *volatile_pointer; } has_ptr;
typedef struct plain { int x; } plain;
PC_DECLARE(plain);
#ifdef CONTROL
PC_PTR(plain) p;
#else
PC_PTR(has_ptr) p;
#endif
