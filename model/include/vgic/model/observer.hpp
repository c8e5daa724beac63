// Output of the model: line levels reported when they change.
#pragma once

#include <cstdint>

namespace vgic {

/// Output lines of one CPU interface: the physical IRQ/FIQ of GICC, the virtual vIRQ/vFIQ
/// of GICV, and the maintenance interrupt level of GICH (also fed to its PPI).
enum class Line : std::uint8_t { Irq, Fiq, VIrq, VFiq, Maintenance };

const char* to_string(Line line);

/// Receives every change of an output line level. Called synchronously from inside the
/// model operation that caused the change; implementations must not re-enter the model.
class LineObserver {
public:
    virtual ~LineObserver() = default;
    virtual void line_changed(unsigned cpu, Line line, bool level) = 0;
};

} // namespace vgic
