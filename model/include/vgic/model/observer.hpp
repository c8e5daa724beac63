// SPDX-License-Identifier: Apache-2.0
// Output of the model: line levels reported when they change.
#pragma once

#include "vgic/model/export.hpp"

#include <cstdint>

namespace vgic {

/// Output lines of one CPU interface: the physical IRQ/FIQ of GICC, the virtual vIRQ/vFIQ
/// of GICV, and the maintenance interrupt level of GICH (also fed to its PPI).
enum class Line : std::uint8_t { Irq, Fiq, VIrq, VFiq, Maintenance };

VGIC_MODEL_API const char* to_string(Line line);

/// Receives every change of an output line level. Called synchronously from inside the
/// model operation that caused the change; implementations must not re-enter the model.
class VGIC_MODEL_API LineObserver {
public:
    virtual ~LineObserver() = default;
    virtual void line_changed(unsigned cpu, Line line, bool level) = 0;
};

/// What a CPU interface did with an interrupt, reported as it happens: a platform learns
/// what a guest's register access meant (which INTID an IAR read acknowledged, which one an
/// EOIR completed) without decoding registers itself, e.g. to time interrupts from real code.
enum class InterruptEvent : std::uint8_t {
    Acknowledged,     ///< IAR/AIAR/IAR0/IAR1 returned this INTID: pending -> active
    PriorityDropped,  ///< EOIR/AEOIR/EOIR0/EOIR1 dropped its running priority
    Deactivated,      ///< DIR deactivated it (split EOI)
    SgiGenerated,     ///< an SGI register write made this SGI pending for `cpu`
};

VGIC_MODEL_API const char* to_string(InterruptEvent event);

/// Receives InterruptEvents. Called synchronously from inside the model operation (the
/// register access); implementations must not re-enter the model.
class VGIC_MODEL_API InterruptObserver {
public:
    virtual ~InterruptObserver() = default;
    /// `cpu`: the CPU interface's CPU (SgiGenerated: the target); `virtual_interface`: the
    /// event happened at a GICV / ICV_ interface (the guest's view in vm mode).
    virtual void interrupt_event(InterruptEvent event, unsigned cpu, bool virtual_interface, std::uint32_t intid) = 0;
};

} // namespace vgic
