/* placeholder */
#include <criterion/criterion.h>
Test(hooks, placeholder) {}
